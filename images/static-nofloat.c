/* Linked into the static binary only, with -Wl,--wrap=strtod. libconfuse
 * calls strtod for one thing: options of type CFGT_FLOAT, and redis-init
 * declares none (every setting is a string or an integer). musl's strtod
 * would bring its whole decimal float parser (decfloat, __floatscan: 5.4
 * KB, 2.6% of the binary) for that call that never comes; this one
 * accepts no number, so such an option, were one added, fails to parse
 * ("invalid floating point value") instead of reading a wrong value. */
double __wrap_strtod(const char *s, char **end);

/* used: the link-time optimiser must keep it for the linker's --wrap. */
__attribute__((used)) double __wrap_strtod(const char *s, char **end)
{
    if (end)
        *end = (char *)s;
    return 0;
}
