# Test runtimes that need compiling (Java) are built into $(BUILD)/tests.
# The Java test runtime (lwrap.runtime.*) and the Java sample handlers (lwrap.handlers.*)
# compile together into one class directory, used as the JVM's -classpath by the tests.
RT_JAVA_SRCS  := $(shell find tests/runtimes/java tests/handlers/java -name '*.java' 2>/dev/null | sort)
RT_JAVA_DIR   := $(BUILD)/tests/java
RT_JAVA_STAMP := $(RT_JAVA_DIR)/.built

# Only the tests need it: `make` and `make demo` work without a JDK.
test-builds: $(RT_JAVA_STAMP)

# Built into a fresh directory, then moved in place, so a removed class never lingers and
# a half-built tree is never seen by a test running in parallel.
$(RT_JAVA_STAMP): $(RT_JAVA_SRCS)
	@mkdir -p $(BUILD)/tests
	@rm -rf $(RT_JAVA_DIR).tmp
	javac -Xlint:all -Werror -encoding UTF-8 -d $(RT_JAVA_DIR).tmp $(RT_JAVA_SRCS)
	@touch $(RT_JAVA_DIR).tmp/.built
	@rm -rf $(RT_JAVA_DIR) && mv $(RT_JAVA_DIR).tmp $(RT_JAVA_DIR)
