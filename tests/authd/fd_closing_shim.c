/* LD_PRELOADed into rampart-authd by tests/authd: close_range() always fails (as on kernels
 * before 5.9 or under a seccomp filter), and with RAMPART_TEST_NO_PROC_FD set opendir() of
 * /proc/self/fd fails too, so both of close_inherited_fds' ways can be tested. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int close_range(unsigned first, unsigned last, int flags)
{
    (void)first, (void)last, (void)flags;
    errno = ENOSYS;
    return -1;
}

DIR *opendir(const char *name)
{
    if (getenv("RAMPART_TEST_NO_PROC_FD") && strcmp(name, "/proc/self/fd") == 0) {
        errno = EACCES;
        return NULL;
    }
    DIR *(*real)(const char *) = (DIR * (*)(const char *)) dlsym(RTLD_NEXT, "opendir");
    if (!real) {
        errno = ENOSYS;
        return NULL;
    }
    return real(name);
}
