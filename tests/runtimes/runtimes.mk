# Test runtimes that need compiling (Java) are built into $(BUILD)/tests.
