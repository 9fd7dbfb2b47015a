// token-set IMAGE JSON: stores LUKS2 token JSON with token plugins disabled, so only
// libcryptsetup's own checks apply (systemd's plugin would refuse a malformed
// systemd-pkcs11 token). For the storage tests. Exit status: the token id, or 255.
#include <libcryptsetup.h>

int main(int argc, char **argv)
{
    if (argc != 3)
        return 255;
    crypt_token_external_disable(); // before anything could load a plugin
    crypt_device *cd = nullptr;
    if (crypt_init(&cd, argv[1]) < 0)
        return 255;
    int token = crypt_load(cd, CRYPT_LUKS2, nullptr) < 0
                    ? -1
                    : crypt_token_json_set(cd, CRYPT_ANY_TOKEN, argv[2]);
    crypt_free(cd);
    return token < 0 ? 255 : token;
}
