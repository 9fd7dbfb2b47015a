// Reading [levels] and [[level]] from the system config. Internal to compositor/config.
#pragma once

#include "config/file_text.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rampart::config::detail {

constexpr std::size_t max_levels = 32;

// Reads the level tables as config.cpp meets them, and checks what spans several tables
// (unique ids and sockets, plain_socket, limits under [window]) once the file is read.
// Problems go to `values`, so that they are reported in file order with all the others.
class LevelsReader {
public:
    explicit LevelsReader(ValueReader &values) : values_(values) {}

    void read_settings(const toml::node &node); // [levels]
    void read_levels(const toml::node &node);   // [[level]]
    // After the whole file: the cross-checks, then the result (the default level if the file
    // configured none).
    void finish(const WindowConfig &window, LevelsConfig &out);

private:
    // A size limit as written: checked against [window], which may come later in the file.
    struct Limit {
        std::optional<int64_t> value;
        toml::source_region where;
    };
    // A level as read, with where its values were written, for the checks across levels.
    struct Entry {
        LevelConfig level;
        std::string prefix;     // "level[2]", for messages
        bool id_ok = false;     // false when the id was missing or refused
        std::string socket_key; // the normalised socket path; "" if missing or refused
        toml::source_region id_where, name_where, socket_where;
        Limit max_width, max_height;
    };

    void read_level(const toml::table &table, std::size_t index);
    FieldReader id_field(Entry &entry);
    FieldReader label_field(std::string &out, std::size_t max_code_points, bool is_glyph,
                            toml::source_region &where);
    FieldReader color_field(Rgb &out);
    FieldReader socket_field(std::string &out, std::string &key, toml::source_region &where,
                             bool may_be_empty);
    FieldReader mode_field(unsigned &out);
    FieldReader account_field(std::string &out, const char *what);
    FieldReader limit_field(Limit &out);
    void check_limit(const Entry &entry, const Limit &limit, const char *key, int global_max);
    void check_unique();

    ValueReader &values_;
    std::vector<Entry> entries_;
    std::optional<std::string> plain_socket_;
    toml::source_region plain_socket_where_;
    std::string trusted_socket_, trusted_socket_key_;
    toml::source_region trusted_socket_where_;
};

} // namespace rampart::config::detail
