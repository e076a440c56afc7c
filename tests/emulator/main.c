/* Placeholder until the emulator lands. */
#include <stdio.h>
int main(void)
{
    fputs("lambda-emu: not built yet\n", stderr);
    return 1;
}
