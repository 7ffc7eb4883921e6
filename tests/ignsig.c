/* Test helper: exec a command with SIGINT, SIGQUIT and the real-time
 * signals 32..34 ignored (set by the raw system call, which libc's
 * sigaction refuses for 32..34), as some CI runners leave them. */
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    unsigned long ign[4] = {(unsigned long)SIG_IGN, 0, 0, 0};
    int sigs[] = {SIGINT, SIGQUIT, 32, 33, 34};

    (void)argc;
    for (unsigned i = 0; i < sizeof sigs / sizeof *sigs; i++)
        syscall(SYS_rt_sigaction, sigs[i], ign, NULL, 8);
    execvp(argv[1], argv + 1);
    return 127;
}
