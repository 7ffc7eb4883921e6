/* Benchmark helper: make N orphans (each child forks a grandchild and exits
 * at once), then wait until the PID namespace holds no zombie; prints the
 * milliseconds from the first fork to that moment. Run as PID 2 of a PID
 * namespace under the supervisor being measured. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static int zombies(void)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;

    while ((e = readdir(d))) {
        char path[64], buf[256];
        FILE *f;
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        if (!(f = fopen(path, "r")))
            continue;
        if (fgets(buf, sizeof buf, f)) {
            char *p = strrchr(buf, ')');
            n += p && p[2] == 'Z';
        }
        fclose(f);
    }
    closedir(d);
    return n;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 10000;
    long start = ms();

    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            if (fork() == 0)
                _exit(0);
            _exit(0);
        }
        waitpid(pid, NULL, 0);
    }
    while (zombies() > 0) {
        if (ms() - start > 60000) {
            printf("timeout\n");
            return 1;
        }
        usleep(1000);
    }
    printf("%ld\n", ms() - start);
    return 0;
}
