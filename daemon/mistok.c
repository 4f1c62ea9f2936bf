/* mistok: placeholder main until the CLI lands. */
#include <stdio.h>

int
main(void)
{
	fprintf(stderr, "mistok: not built yet\n");
	return 1;
}
