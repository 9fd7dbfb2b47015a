#include "pkcs11_token.hpp"

#include "util/log.hpp"

#include <cstdlib>
#include <cstring>

namespace rampart::storage::p11 {
namespace {

// PKCS#11 text fields are fixed-size, space padded, not NUL-terminated. The card writes them:
// control characters (which could forge lines in a log or on the lock screen) become '?'.
std::string field(const unsigned char *data, std::size_t size)
{
    std::string text(reinterpret_cast<const char *>(data), size);
    const auto end = text.find_last_not_of(' ');
    text.erase(end == std::string::npos ? 0 : end + 1);
    for (char &c : text)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = '?';
    return text;
}

struct FreeChar {
    void operator()(char *text) const { std::free(text); }
};

} // namespace

Uri parse_uri(const std::string &text)
{
    Uri uri(p11_kit_uri_new());
    if (!uri || p11_kit_uri_parse(text.c_str(), P11_KIT_URI_FOR_ANY, uri.get()) != P11_KIT_URI_OK)
        return nullptr;
    return uri;
}

void ignore_user_module_config()
{
    // The variable p11-kit's conf.c reads (its log line calls it P11_NO_USER_CONFIG).
    setenv("P11_KIT_NO_USER_CONFIG", "1", 1);
}

TokenInfo describe(const CK_TOKEN_INFO &info, const std::string &module)
{
    TokenInfo token;
    token.label = field(info.label, sizeof info.label);
    token.serial = field(info.serialNumber, sizeof info.serialNumber);
    token.module = module;
    token.pin_count_low = (info.flags & CKF_USER_PIN_COUNT_LOW) != 0;
    token.pin_final_try = (info.flags & CKF_USER_PIN_FINAL_TRY) != 0;
    token.pin_locked = (info.flags & CKF_USER_PIN_LOCKED) != 0;
    token.pin_pad = (info.flags & CKF_PROTECTED_AUTHENTICATION_PATH) != 0;
    token.needs_login = (info.flags & CKF_LOGIN_REQUIRED) != 0;
    if (info.ulMinPinLen != CK_UNAVAILABLE_INFORMATION)
        token.pin_min_length = info.ulMinPinLen;
    if (info.ulMaxPinLen != CK_UNAVAILABLE_INFORMATION && info.ulMaxPinLen >= token.pin_min_length)
        token.pin_max_length = info.ulMaxPinLen;
    Uri uri(p11_kit_uri_new());
    if (uri) {
        *p11_kit_uri_get_token_info(uri.get()) = info;
        char *text = nullptr;
        if (p11_kit_uri_format(uri.get(), P11_KIT_URI_FOR_TOKEN, &text) == P11_KIT_URI_OK) {
            std::unique_ptr<char, FreeChar> owned(text);
            token.uri = owned.get();
        }
    }
    return token;
}

Modules::Modules(const std::string &module_path) : path_(module_path)
{
    if (path_.empty()) {
        list_ = p11_kit_modules_load_and_initialize(0);
        if (!list_) {
            error_ = std::string("p11-kit could not load its modules: ") + p11_kit_message();
            return;
        }
        for (CK_FUNCTION_LIST **m = list_; *m; ++m)
            modules_.push_back(*m);
        return;
    }
    single_ = p11_kit_module_load(path_.c_str(), 0);
    if (!single_) {
        error_ = "cannot load PKCS#11 module " + path_ + ": " + p11_kit_message();
        return;
    }
    const CK_RV rv = p11_kit_module_initialize(single_);
    if (rv != CKR_OK) {
        error_ = "cannot initialise PKCS#11 module " + path_ + ": " + rv_text(rv);
        p11_kit_module_release(single_);
        single_ = nullptr;
        return;
    }
    modules_.push_back(single_);
}

Modules::~Modules()
{
    if (list_)
        p11_kit_modules_finalize_and_release(list_);
    if (single_) {
        p11_kit_module_finalize(single_);
        p11_kit_module_release(single_);
    }
}

std::vector<Slot> Modules::slots() const
{
    std::vector<Slot> found;
    for (CK_FUNCTION_LIST *module : modules_) {
        // Slots can come and go between the two calls (a reader plugged in): retry a few times.
        std::vector<CK_SLOT_ID> ids;
        CK_RV rv = CKR_BUFFER_TOO_SMALL;
        for (int attempt = 0; attempt < 4 && rv == CKR_BUFFER_TOO_SMALL; ++attempt) {
            CK_ULONG count = 0;
            rv = module->C_GetSlotList(CK_TRUE, nullptr, &count);
            if (rv != CKR_OK)
                break;
            ids.resize(count);
            rv = module->C_GetSlotList(CK_TRUE, ids.data(), &count);
            ids.resize(count);
        }
        if (rv != CKR_OK) {
            log::debug("PKCS#11: no slot list from a module: %s", rv_text(rv).c_str());
            continue;
        }
        for (CK_SLOT_ID id : ids) {
            Slot slot{module, id, {}};
            rv = module->C_GetTokenInfo(id, &slot.info);
            if (rv != CKR_OK) {
                log::debug("PKCS#11: slot %lu skipped: %s", id, rv_text(rv).c_str());
                continue;
            }
            // SoftHSM2 and some readers show an empty, uninitialised token: nothing to use.
            if (!(slot.info.flags & CKF_TOKEN_INITIALIZED))
                continue;
            found.push_back(slot);
        }
    }
    return found;
}

Session::Session(const Slot &slot) : slot_(slot)
{
    open_rv_ =
        slot_.module->C_OpenSession(slot_.id, CKF_SERIAL_SESSION, nullptr, nullptr, &handle_);
}

Session::~Session()
{
    if (open_rv_ == CKR_OK)
        slot_.module->C_CloseSession(handle_);
}

CK_RV Session::login(std::span<const char> pin)
{
    if (slot_.info.flags & CKF_PROTECTED_AUTHENTICATION_PATH)
        return slot_.module->C_Login(handle_, CKU_USER, nullptr, 0);
    // PKCS#11's C API takes a non-const PIN pointer; modules only read it. The PIN stays in the
    // caller's secret buffer: no copy is made.
    auto *bytes = reinterpret_cast<CK_UTF8CHAR *>(const_cast<char *>(pin.data()));
    const CK_RV rv = slot_.module->C_Login(handle_, CKU_USER, bytes, pin.size());
    return rv == CKR_USER_ALREADY_LOGGED_IN ? CKR_OK : rv;
}

CK_RV Session::find_private_key(P11KitUri *uri, CK_OBJECT_HANDLE &key, bool &found)
{
    found = false;
    // The URI's object attributes (id, label) narrow the search; class, decrypt and key type
    // are then forced, as systemd does, so a token URI alone selects the token's one RSA
    // decryption key. A URI saying type=cert or type=public (newer systemd rewrites those to
    // type=private when enrolling) is read as naming the private key of that pair.
    static CK_OBJECT_CLASS private_class = CKO_PRIVATE_KEY;
    static CK_BBOOL yes = CK_TRUE;
    static CK_KEY_TYPE rsa = CKK_RSA;
    CK_ULONG count = 0;
    CK_ATTRIBUTE *given = p11_kit_uri_get_attributes(uri, &count);
    std::vector<CK_ATTRIBUTE> search;
    for (CK_ULONG i = 0; i < count; ++i) {
        const CK_ATTRIBUTE_TYPE type = given[i].type;
        if (type != CKA_CLASS && type != CKA_DECRYPT && type != CKA_KEY_TYPE)
            search.push_back(given[i]);
    }
    search.push_back({CKA_CLASS, &private_class, sizeof private_class});
    search.push_back({CKA_DECRYPT, &yes, sizeof yes});
    search.push_back({CKA_KEY_TYPE, &rsa, sizeof rsa});

    CK_RV rv = slot_.module->C_FindObjectsInit(handle_, search.data(), search.size());
    if (rv != CKR_OK)
        return rv;
    CK_OBJECT_HANDLE objects[2];
    CK_ULONG n = 0;
    rv = slot_.module->C_FindObjects(handle_, objects, 2, &n);
    const CK_RV final_rv = slot_.module->C_FindObjectsFinal(handle_);
    if (rv != CKR_OK)
        return rv;
    if (final_rv != CKR_OK)
        return final_rv;
    if (n == 1) { // like systemd: an ambiguous URI is refused, not guessed at
        key = objects[0];
        found = true;
    }
    return CKR_OK;
}

CK_RV Session::decrypt(CK_OBJECT_HANDLE key, std::span<const unsigned char> input,
                       secure::SecretBuffer &output)
{
    CK_MECHANISM mechanism{CKM_RSA_PKCS, nullptr, 0}; // systemd encrypts with PKCS#1 v1.5
    CK_RV rv = slot_.module->C_DecryptInit(handle_, &mechanism, key);
    if (rv != CKR_OK)
        return rv;
    output.clear();
    // An RSA plaintext is shorter than the ciphertext (the modulus), so `output` must hold
    // input.size() bytes; the caller sizes it.
    CK_ULONG size = output.capacity();
    auto *in = const_cast<CK_BYTE *>(input.data()); // the C API is not const-correct
    rv = slot_.module->C_Decrypt(handle_, in, input.size(),
                                 reinterpret_cast<CK_BYTE *>(output.data()), &size);
    if (rv == CKR_OK)
        output.resize(size);
    return rv;
}

bool means_removed(CK_RV rv)
{
    return rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_DEVICE_REMOVED ||
           rv == CKR_TOKEN_NOT_RECOGNIZED || rv == CKR_SLOT_ID_INVALID ||
           rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED;
}

std::string rv_text(CK_RV rv)
{
    const char *text = p11_kit_strerror(rv);
    char code[32];
    std::snprintf(code, sizeof code, "0x%lx", static_cast<unsigned long>(rv));
    return std::string(text ? text : "unknown") + " (" + code + ")";
}

} // namespace rampart::storage::p11
