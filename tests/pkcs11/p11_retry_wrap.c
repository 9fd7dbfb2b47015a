/* A PKCS#11 module for tests that loads a real module (SoftHSM2) and forwards every call to it,
 * adding the two things SoftHSM2 cannot show:
 *
 * - a user-PIN retry counter, as smartcards have: failed C_Login calls count down, the token
 *   info then carries CKF_USER_PIN_COUNT_LOW / CKF_USER_PIN_FINAL_TRY / CKF_USER_PIN_LOCKED, and
 *   a locked PIN makes C_Login return CKR_PIN_LOCKED without asking the real module. SoftHSM2
 *   accepts any number of wrong PINs and never sets those flags.
 * - card removal: SoftHSM2 has no removable slot (deleting its token directory makes calls fail
 *   with CKR_GENERAL_ERROR while the slot still says "token present"). Once a trigger file
 *   exists, the slot reports no token and the calls a removed card fails fail with
 *   CKR_TOKEN_NOT_PRESENT / CKR_DEVICE_REMOVED, as a PC/SC reader's module does.
 *
 * This is not a mock of PKCS#11: keys, sessions, login and decryption are SoftHSM2's, so the
 * code under test talks to a real token through the real API. Only the two missing hardware
 * behaviours are layered on top.
 *
 * Environment (read at every call, so a test can change them between uses):
 *   RAMPART_P11WRAP_MODULE     the real module (default: SoftHSM2's)
 *   RAMPART_P11WRAP_COUNTER    file holding the tries left; absent: retry counter disabled.
 *                              The count lives in a file because a card keeps it across
 *                              C_Initialize/C_Finalize and across processes.
 *   RAMPART_P11WRAP_MAX_TRIES  tries after a correct PIN (default 3)
 *   RAMPART_P11WRAP_REMOVED    file whose existence means "card removed"
 *   RAMPART_P11WRAP_NO_LOGIN   "1": the token says it needs no login (CKF_LOGIN_REQUIRED off),
 *                              as a card whose key is usable without a PIN does
 *   RAMPART_P11WRAP_BROKEN     file whose existence makes C_Initialize fail (CKR_DEVICE_ERROR),
 *                              as a smartcard module does when its reader service is gone
 *   RAMPART_P11WRAP_REMOVE_AT  a function name (C_Login, C_FindObjectsInit, C_DecryptInit,
 *                              C_Decrypt): entering it creates the REMOVED file first, i.e. the
 *                              card is pulled at exactly that point of a check.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST real_list_copy;
static CK_FUNCTION_LIST_PTR real;
static CK_FUNCTION_LIST wrapped;
static void *real_handle;

static const char *env(const char *name)
{
    const char *value = getenv(name);
    return value && *value ? value : NULL;
}

static int removed(void)
{
    const char *path = env("RAMPART_P11WRAP_REMOVED");
    return path && access(path, F_OK) == 0;
}

/* The card is pulled when the named function is entered. */
static void maybe_remove_at(const char *function)
{
    const char *at = env("RAMPART_P11WRAP_REMOVE_AT");
    const char *path = env("RAMPART_P11WRAP_REMOVED");
    if (!at || !path || strcmp(at, function) != 0)
        return;
    FILE *file = fopen(path, "w");
    if (file)
        fclose(file);
}

static long max_tries(void)
{
    const char *value = env("RAMPART_P11WRAP_MAX_TRIES");
    long tries = value ? strtol(value, NULL, 10) : 3;
    return tries > 0 ? tries : 3;
}

/* -1: no counter configured. */
static long tries_left(void)
{
    const char *path = env("RAMPART_P11WRAP_COUNTER");
    if (!path)
        return -1;
    FILE *file = fopen(path, "r");
    if (!file)
        return max_tries();
    long tries = max_tries();
    if (fscanf(file, "%ld", &tries) != 1)
        tries = max_tries();
    fclose(file);
    return tries < 0 ? 0 : tries;
}

static void set_tries_left(long tries)
{
    const char *path = env("RAMPART_P11WRAP_COUNTER");
    if (!path)
        return;
    FILE *file = fopen(path, "w");
    if (!file)
        return;
    fprintf(file, "%ld\n", tries);
    fclose(file);
}

static CK_RV load_real(void)
{
    if (real)
        return CKR_OK;
    const char *path = env("RAMPART_P11WRAP_MODULE");
    real_handle = dlopen(path ? path : "/usr/lib/softhsm/libsofthsm2.so", RTLD_NOW | RTLD_LOCAL);
    if (!real_handle)
        return CKR_GENERAL_ERROR;
    CK_C_GetFunctionList get = (CK_C_GetFunctionList)dlsym(real_handle, "C_GetFunctionList");
    CK_FUNCTION_LIST_PTR list = NULL;
    if (!get || get(&list) != CKR_OK || !list)
        return CKR_GENERAL_ERROR;
    real_list_copy = *list;
    real = &real_list_copy;
    return CKR_OK;
}

static CK_RV w_Initialize(CK_VOID_PTR args)
{
    const char *path = env("RAMPART_P11WRAP_BROKEN");
    if (path && access(path, F_OK) == 0)
        return CKR_DEVICE_ERROR;
    return real->C_Initialize(args);
}

static CK_RV w_GetSlotInfo(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info)
{
    CK_RV rv = real->C_GetSlotInfo(slot, info);
    if (rv == CKR_OK && removed())
        info->flags &= ~(CK_FLAGS)CKF_TOKEN_PRESENT;
    return rv;
}

static CK_RV w_GetSlotList(CK_BBOOL token_present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count)
{
    if (token_present && removed()) {
        *count = 0;
        return CKR_OK;
    }
    return real->C_GetSlotList(token_present, list, count);
}

static CK_RV w_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info)
{
    if (removed())
        return CKR_TOKEN_NOT_PRESENT;
    CK_RV rv = real->C_GetTokenInfo(slot, info);
    const char *no_login = env("RAMPART_P11WRAP_NO_LOGIN");
    if (rv == CKR_OK && no_login && strcmp(no_login, "1") == 0)
        info->flags &= ~(CK_FLAGS)CKF_LOGIN_REQUIRED;
    long tries = tries_left();
    if (rv != CKR_OK || tries < 0)
        return rv;
    info->flags &=
        ~(CK_FLAGS)(CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED);
    if (tries == 0)
        info->flags |= CKF_USER_PIN_LOCKED;
    else if (tries == 1)
        info->flags |= CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_COUNT_LOW;
    else if (tries < max_tries())
        info->flags |= CKF_USER_PIN_COUNT_LOW;
    return rv;
}

static CK_RV w_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify,
                           CK_SESSION_HANDLE_PTR session)
{
    if (removed())
        return CKR_TOKEN_NOT_PRESENT;
    return real->C_OpenSession(slot, flags, app, notify, session);
}

static CK_RV w_Login(CK_SESSION_HANDLE session, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin,
                     CK_ULONG pin_len)
{
    maybe_remove_at("C_Login");
    if (removed())
        return CKR_DEVICE_REMOVED;
    long tries = tries_left();
    if (user != CKU_USER || tries < 0)
        return real->C_Login(session, user, pin, pin_len);
    if (tries == 0)
        return CKR_PIN_LOCKED;
    CK_RV rv = real->C_Login(session, user, pin, pin_len);
    if (rv == CKR_PIN_INCORRECT)
        set_tries_left(tries - 1);
    else if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN)
        set_tries_left(max_tries());
    return rv;
}

static CK_RV w_FindObjectsInit(CK_SESSION_HANDLE session, CK_ATTRIBUTE_PTR templ, CK_ULONG count)
{
    maybe_remove_at("C_FindObjectsInit");
    if (removed())
        return CKR_DEVICE_REMOVED;
    return real->C_FindObjectsInit(session, templ, count);
}

static CK_RV w_FindObjects(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE_PTR objects,
                           CK_ULONG max_count, CK_ULONG_PTR count)
{
    if (removed())
        return CKR_DEVICE_REMOVED;
    return real->C_FindObjects(session, objects, max_count, count);
}

static CK_RV w_GetAttributeValue(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                                 CK_ATTRIBUTE_PTR templ, CK_ULONG count)
{
    if (removed())
        return CKR_DEVICE_REMOVED;
    return real->C_GetAttributeValue(session, object, templ, count);
}

static CK_RV w_DecryptInit(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mechanism,
                           CK_OBJECT_HANDLE key)
{
    maybe_remove_at("C_DecryptInit");
    if (removed())
        return CKR_DEVICE_REMOVED;
    return real->C_DecryptInit(session, mechanism, key);
}

static CK_RV w_Decrypt(CK_SESSION_HANDLE session, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
                       CK_ULONG_PTR out_len)
{
    maybe_remove_at("C_Decrypt");
    if (removed())
        return CKR_DEVICE_REMOVED;
    return real->C_Decrypt(session, in, in_len, out, out_len);
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
    if (!list)
        return CKR_ARGUMENTS_BAD;
    CK_RV rv = load_real();
    if (rv != CKR_OK)
        return rv;
    /* Everything not overridden below is the real module's own function. */
    wrapped = *real;
    wrapped.C_Initialize = w_Initialize;
    wrapped.C_GetSlotList = w_GetSlotList;
    wrapped.C_GetSlotInfo = w_GetSlotInfo;
    wrapped.C_GetTokenInfo = w_GetTokenInfo;
    wrapped.C_OpenSession = w_OpenSession;
    wrapped.C_Login = w_Login;
    wrapped.C_FindObjectsInit = w_FindObjectsInit;
    wrapped.C_FindObjects = w_FindObjects;
    wrapped.C_GetAttributeValue = w_GetAttributeValue;
    wrapped.C_DecryptInit = w_DecryptInit;
    wrapped.C_Decrypt = w_Decrypt;
    *list = &wrapped;
    return CKR_OK;
}
