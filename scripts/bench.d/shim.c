/* The physical limit of "one extra execve": a static program that does nothing but
 * exec its arguments. lwrap's start cost is compared against this, not against zero. */
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 125;
    execv(argv[1], argv + 1);
    return 127;
}
