#include "config/config.hpp"
#include "config/storage.hpp"

#include <map>

namespace rampart::config {

namespace {
bool is_mapping_name(const std::string &name)
{
    if (name.empty() || name.size() > 64)
        return false;
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    return true;
}
// Account names: Debian's (and a trailing $ for machine accounts), and SSSD's fully qualified
// user@domain. Not all digits: "1000" in quotes would be a name no account has, and the
// volume would silently belong to nobody.
bool is_account_name(const std::string &name)
{
    if (name.empty() || name.size() > 64 || name.front() == '-' || name.front() == '@')
        return false;
    bool digits_only = true;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool digit = c >= '0' && c <= '9';
        const bool allowed = digit || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                             c == '_' || c == '-' || c == '.' || c == '@' ||
                             (c == '$' && i + 1 == name.size());
        if (!allowed)
            return false;
        digits_only = digits_only && digit;
    }
    return !digits_only;
}

void check_account(detail::ValueReader &values, const toml::table &table, const std::string &prefix,
                   const std::string &name)
{
    if (table.contains("user") && !is_account_name(name))
        values.fail(table.get("user")->source(),
                    prefix + ".user must be an account name (1 to 64 of A-Z a-z 0-9 _ . - @, "
                             "not a uid)");
}
} // namespace

StorageConfig StorageConfig::owned_by(std::string_view account) const
{
    StorageConfig owned = *this;
    std::erase_if(owned.volumes, [&](const VolumeConfig &v) { return v.user != account; });
    return owned;
}

bool StorageConfig::suspends_any() const
{
    for (const VolumeConfig &volume : volumes)
        if (policy_for(volume) == OnLock::suspend)
            return true;
    return false;
}

namespace detail {

void StorageReader::read_settings(const toml::node &node)
{
    if (!values_.check_type(node, "storage", node.is_table(), "a table"))
        return;
    values_.read_fields(
        *node.as_table(), "storage",
        {{"on_lock",
          values_.choice(storage_.on_lock, {{"keep", OnLock::keep}, {"suspend", OnLock::suspend}})},
         {"card_removal", values_.choice(storage_.card_removal, {{"ignore", CardRemoval::ignore},
                                                                 {"lock", CardRemoval::lock}})},
         {"pkcs11_module", values_.field(storage_.pkcs11_module)},
         {"user", values_.field(storage_.user)}});
    check_account(values_, *node.as_table(), "storage", storage_.user);
    const std::string &module = storage_.pkcs11_module;
    if (!module.empty() && module.front() != '/')
        values_.fail(node.source(), "storage.pkcs11_module must be an absolute path");
}

void StorageReader::read_volumes(const toml::node &node)
{
    if (!values_.check_type(node, "volume", node.is_array(),
                            "an array of tables, written [[volume]]"))
        return;
    const toml::array &array = *node.as_array();
    std::map<std::string, std::size_t> names, devices;
    for (std::size_t index = 0; index < array.size(); ++index) {
        const toml::node &element = *array.get(index);
        const std::string prefix = "volume[" + std::to_string(index) + "]";
        if (!values_.check_type(element, prefix, element.is_table(), "a table"))
            continue;
        if (index >= max_volumes) {
            values_.fail(element.source(), "at most " + std::to_string(max_volumes) + " volumes");
            return;
        }
        const toml::table &table = *element.as_table();
        VolumeConfig volume;
        OnLock on_lock = storage_.on_lock;
        bool has_on_lock = table.contains("on_lock");
        values_.read_fields(table, prefix,
                            {{"name", values_.field(volume.name, false)},
                             {"device", values_.field(volume.device, false)},
                             {"user", values_.field(volume.user)},
                             {"on_lock", values_.choice(on_lock, {{"keep", OnLock::keep},
                                                                  {"suspend", OnLock::suspend}})}});
        if (has_on_lock)
            volume.on_lock = on_lock;
        if (!table.contains("name") || !table.contains("device")) {
            values_.fail(table.source(), prefix + " needs a name and a device");
            continue;
        }
        check_account(values_, table, prefix, volume.user);
        if (!is_mapping_name(volume.name))
            values_.fail(table.get("name")->source(),
                         prefix + ".name must be 1 to 64 of A-Z a-z 0-9 _ -");
        if (volume.device.empty() || volume.device.front() != '/' ||
            volume.device.find("/../") != std::string::npos)
            values_.fail(table.get("device")->source(),
                         prefix + ".device must be an absolute path");
        if (auto [first, fresh] = names.emplace(volume.name, index); !fresh)
            values_.fail(table.get("name")->source(), prefix + ".name is already used by volume[" +
                                                          std::to_string(first->second) + "]");
        if (auto [first, fresh] = devices.emplace(volume.device, index); !fresh)
            values_.fail(table.get("device")->source(), prefix +
                                                            ".device is already used by volume[" +
                                                            std::to_string(first->second) + "]");
        storage_.volumes.push_back(std::move(volume));
        volume_sources_.push_back(table.source());
    }
}

void StorageReader::finish(StorageConfig &out)
{
    // [storage] may come after the volumes in the file: owners are settled only now. A volume
    // nobody owns would be every local user's to suspend through the system broker.
    for (std::size_t index = 0; index < storage_.volumes.size(); ++index) {
        VolumeConfig &volume = storage_.volumes[index];
        if (volume.user.empty())
            volume.user = storage_.user;
        if (volume.user.empty())
            values_.fail(volume_sources_[index],
                         "volume[" + std::to_string(index) +
                             "] has no owner: set user = \"<account>\" in it or in [storage]");
    }
    out = storage_;
}

} // namespace detail
} // namespace rampart::config
