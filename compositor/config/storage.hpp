// Reading [storage] and [[volume]] from the system config. Internal to compositor/config.
#pragma once

#include "config/file_text.hpp"

#include <set>
#include <string>
#include <vector>

namespace rampart::config::detail {

constexpr std::size_t max_volumes = 16;

class StorageReader {
public:
    explicit StorageReader(ValueReader &values) : values_(values) {}

    void read_settings(const toml::node &node); // [storage]
    void read_volumes(const toml::node &node);  // [[volume]]
    void finish(StorageConfig &out);

private:
    ValueReader &values_;
    StorageConfig storage_;
    std::vector<toml::source_region> volume_sources_; // where each volume was written
};

} // namespace rampart::config::detail
