#include "luks_pkcs11.hpp"

#include "base64.hpp"
#include "config/config.hpp"
#include "pkcs11_token.hpp"
#include "util/log.hpp"

#include <json-c/json.h>
#include <libcryptsetup.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>

namespace rampart::storage {
namespace {

struct CryptFree {
    void operator()(crypt_device *cd) const { crypt_free(cd); }
};
using CryptDevice = std::unique_ptr<crypt_device, CryptFree>;

struct JsonPut {
    void operator()(json_object *object) const { json_object_put(object); }
};
using Json = std::unique_ptr<json_object, JsonPut>;

// A string member, or nullptr when absent or not a string.
const char *string_member(json_object *object, const char *key)
{
    json_object *value = nullptr;
    if (!json_object_object_get_ex(object, key, &value) ||
        !json_object_is_type(value, json_type_string))
        return nullptr;
    return json_object_get_string(value);
}

CryptDevice load_header(const std::string &device, std::string &problem)
{
    crypt_device *raw = nullptr;
    int r = crypt_init(&raw, device.c_str());
    CryptDevice cd(raw);
    if (r < 0) {
        problem = "cannot open " + device + ": " + std::strerror(-r);
        return nullptr;
    }
    r = crypt_load(cd.get(), CRYPT_LUKS2, nullptr);
    if (r < 0) {
        problem = device + " has no readable LUKS2 header: " + std::strerror(-r);
        return nullptr;
    }
    return cd;
}

} // namespace

bool parse_systemd_pkcs11_token(std::string_view json, EnrolledToken &token, std::string &problem)
{
    json_tokener_error error = json_tokener_success;
    Json root(json_tokener_parse_verbose(std::string(json).c_str(), &error));
    if (!root || !json_object_is_type(root.get(), json_type_object)) {
        problem = "its JSON does not parse";
        return false;
    }
    const char *type = string_member(root.get(), "type");
    if (!type || systemd_pkcs11_type != type) {
        problem = "it is not a systemd-pkcs11 token";
        return false;
    }
    // LUKS2 keeps keyslot numbers as strings; systemd writes exactly one.
    json_object *slots = nullptr;
    if (!json_object_object_get_ex(root.get(), "keyslots", &slots) ||
        !json_object_is_type(slots, json_type_array) || json_object_array_length(slots) == 0) {
        problem = "it names no keyslot";
        return false;
    }
    token.keyslots.clear();
    for (std::size_t i = 0; i < json_object_array_length(slots); ++i) {
        json_object *slot = json_object_array_get_idx(slots, i);
        const char *text =
            json_object_is_type(slot, json_type_string) ? json_object_get_string(slot) : nullptr;
        int number = -1;
        const char *end = text ? text + std::strlen(text) : nullptr;
        if (!text || std::from_chars(text, end, number).ptr != end || number < 0) {
            problem = "its keyslot list is malformed";
            return false;
        }
        token.keyslots.push_back(number);
    }
    const char *uri = string_member(root.get(), "pkcs11-uri");
    if (!uri || std::strncmp(uri, "pkcs11:", 7) != 0) {
        problem = "it has no valid pkcs11-uri";
        return false;
    }
    // A URI that names no one token ("pkcs11:", only an object, only a model) would match
    // every such card put in the reader, each then asked for its PIN. systemd-cryptenroll
    // always writes the token's label and serial.
    p11::Uri parsed = p11::parse_uri(uri);
    const CK_TOKEN_INFO *named = parsed ? p11_kit_uri_get_token_info(parsed.get()) : nullptr;
    if (!named || (!named->label[0] && !named->serialNumber[0])) {
        problem = "its pkcs11-uri names no token";
        return false;
    }
    token.pkcs11_uri = uri;
    const char *key = string_member(root.get(), "pkcs11-key");
    auto wrapped = key ? base64_decode(key) : std::nullopt;
    // An RSA ciphertext is as long as the modulus: 1024 to 8192 bits in practice.
    if (!wrapped || wrapped->size() < 64 || wrapped->size() > 1024) {
        problem = "its pkcs11-key is missing or not a base64 RSA ciphertext";
        return false;
    }
    token.wrapped_key = std::move(*wrapped);
    return true;
}

std::vector<EnrolledToken> read_enrolled_tokens(const config::VolumeConfig &volume,
                                                std::vector<std::string> &problems)
{
    std::vector<EnrolledToken> tokens;
    std::string problem;
    CryptDevice cd = load_header(volume.device, problem);
    if (!cd) {
        problems.push_back("volume " + volume.name + ": " + problem);
        return tokens;
    }
    const int max = crypt_token_max(CRYPT_LUKS2);
    for (int id = 0; id < max; ++id) {
        const char *type = nullptr;
        const crypt_token_info status = crypt_token_status(cd.get(), id, &type);
        if (status == CRYPT_TOKEN_INACTIVE || status == CRYPT_TOKEN_INVALID || !type ||
            systemd_pkcs11_type != type)
            continue;
        const char *json = nullptr;
        if (crypt_token_json_get(cd.get(), id, &json) < 0 || !json) {
            problems.push_back("volume " + volume.name + ", token " + std::to_string(id) +
                               ": cannot be read");
            continue;
        }
        EnrolledToken token;
        token.volume = volume.name;
        token.device = volume.device;
        token.luks_token_id = id;
        if (!parse_systemd_pkcs11_token(json, token, problem)) {
            problems.push_back("volume " + volume.name + ", token " + std::to_string(id) +
                               " skipped: " + problem);
            log::warning("storage: volume %s: systemd-pkcs11 token %d skipped: %s",
                         volume.name.c_str(), id, problem.c_str());
            continue;
        }
        tokens.push_back(std::move(token));
    }
    return tokens;
}

bool passphrase_opens(const EnrolledToken &token, std::span<const char> passphrase)
{
    std::string problem;
    CryptDevice cd = load_header(token.device, problem);
    if (!cd)
        return false;
    for (int keyslot : token.keyslots) {
        // A NULL name checks the passphrase against the keyslot without activating.
        if (crypt_activate_by_passphrase(cd.get(), nullptr, keyslot, passphrase.data(),
                                         passphrase.size(), 0) >= 0)
            return true;
    }
    return false;
}

} // namespace rampart::storage
