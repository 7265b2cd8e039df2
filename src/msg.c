/*
 * msg.c - setting a slot's value.
 */
#include "msg.h"

#include <string.h>

void
value_str(struct value *v, const char *s)
{
	v->set = 1;
	v->s.p = s;
	v->s.n = strlen(s);
}

void
value_int(struct value *v, int64_t i)
{
	v->set = 1;
	v->i = i;
}

void
value_time(struct value *v, struct ts t)
{
	v->set = 1;
	v->t = t;
}
