// Nothing to import: this target only defines the entry points SwiftPM links executables through.
