/* A PAM module for rampart-authd's tests, loaded by the real libpam (through pam_wrapper).
 * Its arguments choose what it does in pam_sm_authenticate, in this order:
 *   fail_delay_us=N   call pam_fail_delay(N)
 *   sleep_ms=N        take N ms (a slow check)
 *   hang              never return
 *   info=TEXT         send a PAM_TEXT_INFO message
 *   error=TEXT        send a PAM_ERROR_MSG message
 *   prompt=TEXT       ask (echo off; add `visible` for echo on) and compare with
 *   expect=ANSWER     ANSWER, or the first line of the file ANSWER when it starts with '/'
 *   set_user=NAME     set PAM_USER to NAME (a module rewriting the user)
 *   env=NAME=VALUE    fail (PAM_AUTH_ERR) unless the environment has NAME=VALUE
 *   auth=ok|auth_err|system_err   the result when nothing above failed (default ok)
 * and in pam_sm_acct_mgmt: acct=ok|expired|new_authtok|authtok_expired (default ok).
 * Arguments with spaces use PAM's brackets: "[prompt=One-time code: ]". */
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *argument(int argc, const char **argv, const char *name)
{
    size_t length = strlen(name);
    for (int i = 0; i < argc; ++i) {
        if (strncmp(argv[i], name, length) == 0 && argv[i][length] == '=')
            return argv[i] + length + 1;
    }
    return NULL;
}

static int flag(int argc, const char **argv, const char *name)
{
    for (int i = 0; i < argc; ++i) {
        if (strcmp(argv[i], name) == 0)
            return 1;
    }
    return 0;
}

/* The expected answer: the value itself, or the first line of the file it names. */
static int read_expected(const char *value, char *out, size_t size)
{
    if (value[0] != '/') {
        snprintf(out, size, "%s", value);
        return 1;
    }
    FILE *file = fopen(value, "r");
    if (!file)
        return 0;
    int ok = fgets(out, (int)size, file) != NULL;
    fclose(file);
    out[strcspn(out, "\n")] = '\0';
    return ok;
}

static int message(pam_handle_t *handle, int style, const char *text)
{
    char *response = NULL;
    int code = pam_prompt(handle, style, &response, "%s", text);
    free(response);
    return code;
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *handle, int flags, int argc, const char **argv)
{
    (void)flags;
    const char *value;
    if ((value = argument(argc, argv, "fail_delay_us")))
        pam_fail_delay(handle, (unsigned)strtoul(value, NULL, 10));
    if ((value = argument(argc, argv, "sleep_ms"))) {
        long ms = strtol(value, NULL, 10);
        struct timespec pause_for = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&pause_for, NULL);
    }
    if (flag(argc, argv, "hang")) {
        for (;;)
            pause();
    }
    if ((value = argument(argc, argv, "info")) &&
        message(handle, PAM_TEXT_INFO, value) != PAM_SUCCESS)
        return PAM_CONV_ERR;
    if ((value = argument(argc, argv, "error")) &&
        message(handle, PAM_ERROR_MSG, value) != PAM_SUCCESS)
        return PAM_CONV_ERR;
    if ((value = argument(argc, argv, "prompt"))) {
        int style = flag(argc, argv, "visible") ? PAM_PROMPT_ECHO_ON : PAM_PROMPT_ECHO_OFF;
        char *answer = NULL;
        if (pam_prompt(handle, style, &answer, "%s", value) != PAM_SUCCESS || !answer)
            return PAM_CONV_ERR;
        char expected[512] = "";
        const char *expect = argument(argc, argv, "expect");
        int match = expect && read_expected(expect, expected, sizeof expected) &&
                    strcmp(answer, expected) == 0;
        free(answer);
        if (!match)
            return PAM_AUTH_ERR;
    }
    if ((value = argument(argc, argv, "set_user")) &&
        pam_set_item(handle, PAM_USER, value) != PAM_SUCCESS)
        return PAM_SYSTEM_ERR;
    if ((value = argument(argc, argv, "env"))) {
        const char *equals = strchr(value, '=');
        char name[128];
        size_t length = equals ? (size_t)(equals - value) : 0;
        if (!equals || length >= sizeof name)
            return PAM_SYSTEM_ERR;
        memcpy(name, value, length);
        name[length] = '\0';
        const char *actual = getenv(name);
        if (!actual || strcmp(actual, equals + 1) != 0)
            return PAM_AUTH_ERR;
    }
    if ((value = argument(argc, argv, "auth"))) {
        if (strcmp(value, "auth_err") == 0)
            return PAM_AUTH_ERR;
        if (strcmp(value, "system_err") == 0)
            return PAM_SYSTEM_ERR;
    }
    return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *handle, int flags, int argc, const char **argv)
{
    (void)handle, (void)flags, (void)argc, (void)argv;
    return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *handle, int flags, int argc, const char **argv)
{
    (void)handle, (void)flags;
    const char *value = argument(argc, argv, "acct");
    if (!value || strcmp(value, "ok") == 0)
        return PAM_SUCCESS;
    if (strcmp(value, "expired") == 0)
        return PAM_ACCT_EXPIRED;
    if (strcmp(value, "new_authtok") == 0)
        return PAM_NEW_AUTHTOK_REQD;
    if (strcmp(value, "authtok_expired") == 0)
        return PAM_AUTHTOK_EXPIRED;
    return PAM_SYSTEM_ERR;
}
