#include "storage/tokens.hpp"

#include <json-c/json.h>

#include <memory>

namespace rampart::storage::detail {

namespace {

struct JsonPut {
    void operator()(json_object *object) const { json_object_put(object); }
};
using Json = std::unique_ptr<json_object, JsonPut>;

constexpr int max_tokens = 32; // LUKS2 has token ids 0..31

// "keyslot 1", "keyslots 1, 2", "no keyslot"; nullopt-like "" when malformed.
std::string keyslot_text(json_object *root)
{
    json_object *keyslots = nullptr;
    if (!json_object_object_get_ex(root, "keyslots", &keyslots) ||
        !json_object_is_type(keyslots, json_type_array))
        return "keyslots unreadable";
    std::size_t count = json_object_array_length(keyslots);
    if (count == 0)
        return "no keyslot";
    std::string text = count == 1 ? "keyslot " : "keyslots ";
    for (std::size_t i = 0; i < count && i < 32; ++i) {
        json_object *slot = json_object_array_get_idx(keyslots, i);
        if (i > 0)
            text += ", ";
        text += json_object_is_type(slot, json_type_string)
                    ? sanitize(json_object_get_string(slot), 8)
                    : "?";
    }
    return text;
}

} // namespace

std::string sanitize(std::string_view text, std::size_t limit)
{
    std::string out;
    for (char c : text) {
        if (out.size() >= limit) {
            out += "...";
            break;
        }
        out += (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    return out;
}

std::string describe_token_json(std::string_view type, const char *json)
{
    std::string line = sanitize(type.empty() ? "unknown type" : type, 64);
    Json root(json ? json_tokener_parse(json) : nullptr);
    if (!root || !json_object_is_type(root.get(), json_type_object))
        return line + ": unreadable token JSON";
    line += " (" + keyslot_text(root.get()) + ")";
    if (type == "systemd-pkcs11") {
        json_object *uri = nullptr;
        if (json_object_object_get_ex(root.get(), "pkcs11-uri", &uri) &&
            json_object_is_type(uri, json_type_string))
            line += ": " + sanitize(json_object_get_string(uri));
        else
            line += ": no valid pkcs11-uri";
    }
    return line;
}

std::vector<std::string> describe_tokens(crypt_device *cd)
{
    std::vector<std::string> lines;
    for (int token = 0; token < max_tokens; ++token) {
        const char *type = nullptr;
        crypt_token_info info = crypt_token_status(cd, token, &type);
        if (info == CRYPT_TOKEN_INACTIVE)
            continue;
        if (info == CRYPT_TOKEN_INVALID) {
            lines.push_back("token " + std::to_string(token) + ": invalid");
            continue;
        }
        const char *json = nullptr;
        if (crypt_token_json_get(cd, token, &json) < 0)
            json = nullptr;
        lines.push_back(describe_token_json(type ? type : "", json));
    }
    return lines;
}

} // namespace rampart::storage::detail
