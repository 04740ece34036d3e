// libedit for Swift: its native API (histedit.h) plus fixed-arity wrappers for the variadic
// el_set / el_get / history calls, which Swift cannot call directly.
#ifndef CEDITLINE_SHIM_H
#define CEDITLINE_SHIM_H

#include <histedit.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

typedef char *(*cedit_prompt_fn)(EditLine *);
typedef unsigned char (*cedit_command_fn)(EditLine *, int);

static inline EditLine *cedit_el_init(const char *program) { return el_init(program, stdin, stdout, stderr); }
static inline int cedit_el_set_prompt(EditLine *el, cedit_prompt_fn fn) { return el_set(el, EL_PROMPT, fn); }
static inline int cedit_el_set_editor(EditLine *el, const char *mode) { return el_set(el, EL_EDITOR, mode); }
static inline int cedit_el_set_hist(EditLine *el, History *h) { return el_set(el, EL_HIST, history, h); }
static inline int cedit_el_set_clientdata(EditLine *el, void *data) { return el_set(el, EL_CLIENTDATA, data); }
static inline void *cedit_el_get_clientdata(EditLine *el) {
    void *data = NULL;
    el_get(el, EL_CLIENTDATA, &data);
    return data;
}
static inline int cedit_el_bind(EditLine *el, const char *key, const char *command) {
    return el_set(el, EL_BIND, key, command, NULL);
}
static inline int cedit_el_addfn(EditLine *el, const char *name, const char *help, cedit_command_fn fn) {
    return el_set(el, EL_ADDFN, name, help, fn);
}
static inline int cedit_el_signal(EditLine *el, int on) { return el_set(el, EL_SIGNAL, on); }

static inline History *cedit_history_init(void) { return history_init(); }
static inline int cedit_history_setsize(History *h, int size) { HistEvent ev; return history(h, &ev, H_SETSIZE, size); }
static inline int cedit_history_setunique(History *h, int on) { HistEvent ev; return history(h, &ev, H_SETUNIQUE, on); }
static inline int cedit_history_enter(History *h, const char *line) { HistEvent ev; return history(h, &ev, H_ENTER, line); }
static inline int cedit_history_load(History *h, const char *file) { HistEvent ev; return history(h, &ev, H_LOAD, file); }
static inline int cedit_history_save(History *h, const char *file) { HistEvent ev; return history(h, &ev, H_SAVE, file); }
static inline void cedit_setlocale(void) { setlocale(LC_CTYPE, ""); }
static inline void cedit_print(const char *text) { fputs(text, stdout); fflush(stdout); }

#endif
