// SwiftPM links an executable with `--defsym main=<Product>_main`. With -parse-as-library there is
// no Swift main, so these hand the process to libFuzzer's driver with the target's
// LLVMFuzzerTestOneInput (each fuzz executable defines it, in Swift).
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int FuzzShellParser_main(int argc, char **argv) { return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput); }
int FuzzRequestDecoder_main(int argc, char **argv) { return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput); }
