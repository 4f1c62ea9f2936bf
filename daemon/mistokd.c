/* mistokd: placeholder main until the daemon lands. */
#include <stdio.h>

int
main(void)
{
	fprintf(stderr, "mistokd: not built yet\n");
	return 1;
}
