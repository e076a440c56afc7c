/* The trivial "runtime" the wrappers exec in the start-cost bench: a static program
 * that exits at once, so what is measured is the wrapper, not the program. */
int main(void)
{
    return 0;
}
