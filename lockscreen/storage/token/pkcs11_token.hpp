// PKCS#11 through p11-kit for one use: load and initialise the modules (p11-kit's registered
// list, or one configured module), list the tokens present, log in, find the RSA key a
// systemd-pkcs11 URI names, decrypt with it. Nothing is kept between uses: the broker runs each
// check in a forked child, which initialises and finalises the modules itself.
#pragma once

#include "secret_buffer.hpp"
#include "token_types.hpp"

#include <p11-kit/p11-kit.h>
#include <p11-kit/uri.h>

#include <memory>
#include <span>
#include <string>
#include <vector>

namespace rampart::storage::p11 {

struct UriFree {
    void operator()(P11KitUri *uri) const { p11_kit_uri_free(uri); }
};
using Uri = std::unique_ptr<P11KitUri, UriFree>;
// nullptr when `text` is not a PKCS#11 URI.
Uri parse_uri(const std::string &text);

// p11-kit also loads the modules a non-root user lists in ~/.config/pkcs11: code any program of
// that user could plant. Call once before any module is loaded; then only the system's list
// (or the module the administrator named) counts. (p11-kit skips it for root anyway.)
void ignore_user_module_config();

// A slot with an initialised token in it.
struct Slot {
    CK_FUNCTION_LIST *module = nullptr;
    CK_SLOT_ID id = 0;
    CK_TOKEN_INFO info{};
};

// The token's label/serial (space padding removed), URI and PIN flags.
TokenInfo describe(const CK_TOKEN_INFO &info, const std::string &module);

// The modules, C_Initialize'd for the lifetime of this object.
class Modules {
public:
    // `module_path` empty: every module p11-kit has registered.
    explicit Modules(const std::string &module_path);
    ~Modules();
    Modules(const Modules &) = delete;
    Modules &operator=(const Modules &) = delete;

    bool loaded() const { return !modules_.empty(); }
    const std::string &error() const { return error_; }
    const std::string &path() const { return path_; }
    // Slots holding an initialised token now; a module or slot that fails is skipped.
    std::vector<Slot> slots() const;

private:
    std::string path_, error_;
    std::vector<CK_FUNCTION_LIST *> modules_;
    CK_FUNCTION_LIST **list_ = nullptr;  // p11-kit's list (path_ empty)
    CK_FUNCTION_LIST *single_ = nullptr; // the configured module
};

// A read-only session on one slot, closed (and so logged out) on destruction.
class Session {
public:
    explicit Session(const Slot &slot);
    ~Session();
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    CK_RV open_result() const { return open_rv_; }
    // Logs the user in: a PIN-pad reader (protected authentication path) gets no PIN. (A
    // token that needs no login is refused before this: token_unlock.cpp.)
    CK_RV login(std::span<const char> pin);
    // The one RSA private key allowed to decrypt that the URI's object attributes select.
    // CKR_OK with `found` false when there is none or more than one.
    CK_RV find_private_key(P11KitUri *uri, CK_OBJECT_HANDLE &key, bool &found);
    // CKM_RSA_PKCS decryption into secret memory.
    CK_RV decrypt(CK_OBJECT_HANDLE key, std::span<const unsigned char> input,
                  secure::SecretBuffer &output);

private:
    Slot slot_;
    CK_SESSION_HANDLE handle_ = 0;
    CK_RV open_rv_ = CKR_GENERAL_ERROR;
};

// Whether `rv` means the card is gone (pulled out, reader unplugged).
bool means_removed(CK_RV rv);
std::string rv_text(CK_RV rv); // "CKR_PIN_INCORRECT" style, for the log

} // namespace rampart::storage::p11
