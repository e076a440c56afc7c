EMU_SRCS := $(wildcard tests/emulator/*.c)
EMU_OBJS := $(EMU_SRCS:%.c=$(BUILD)/%.o)

all: $(BUILD)/lambda-emu

$(BUILD)/tests/emulator/%.o: tests/emulator/%.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -fPIE -c -o $@ $<

$(BUILD)/lambda-emu: $(EMU_OBJS)
	$(CC) -pie $(LDHARDEN) $(LDFLAGS) -o $@ $^ -lpthread
