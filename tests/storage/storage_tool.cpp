// storage-tool: drives the storage library from a shell, for the VM test
// (tests/vm/guest/storage.sh) and by hand:
//   storage-tool [-v] lock|unlock|status CONFIG      (unlock reads the passphrase from stdin)
//   storage-tool [-v] unlock-one NAME CONFIG          (the token path: one volume)
// CONFIG is a system config file with [storage] and [[volume]]. RAMPART_STORAGE_VERIFY_ONLY=1
// selects verify_only mode. Exit status: 0 ok, 1 the operation failed, 2 usage or config.
#include "config/config.hpp"
#include "secret_buffer.hpp"
#include "storage/volumes.hpp"
#include "util/log.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

using namespace rampart;

namespace {

int usage()
{
    std::fprintf(stderr, "usage: storage-tool [-v] lock|unlock|status CONFIG\n"
                         "       storage-tool [-v] unlock-one NAME CONFIG\n");
    return 2;
}

// The passphrase from stdin, up to end of file; one trailing newline is not part of it.
bool read_passphrase(secure::SecretBuffer &buffer)
{
    while (buffer.size() < buffer.capacity()) {
        ssize_t got =
            ::read(STDIN_FILENO, buffer.data() + buffer.size(), buffer.capacity() - buffer.size());
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return false;
        if (got == 0)
            break;
        buffer.resize(buffer.size() + static_cast<std::size_t>(got));
    }
    if (!buffer.empty() && buffer.data()[buffer.size() - 1] == '\n')
        buffer.resize(buffer.size() - 1);
    return true;
}

int report(const storage::Outcome &outcome)
{
    std::printf("%s\n", outcome.ok ? "ok" : outcome.user_message.c_str());
    std::printf("detail: %s\n", outcome.log_detail.c_str());
    return outcome.ok ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    int arg = 1;
    bool verbose = arg < argc && std::strcmp(argv[arg], "-v") == 0;
    arg += verbose ? 1 : 0;
    log::init(verbose ? log::Level::debug : log::Level::info, log::Sink::stderr_only);
    if (argc - arg < 2)
        return usage();
    std::string command = argv[arg++];
    std::string name;
    if (command == "unlock-one") {
        if (argc - arg < 2)
            return usage();
        name = argv[arg++];
    }
    if (argc - arg != 1)
        return usage();
    auto loaded = config::load(argv[arg], "");
    if (!loaded.config) {
        std::fprintf(stderr, "storage-tool: %s\n", loaded.error->to_string().c_str());
        return 2;
    }
    const config::StorageConfig &storage = loaded.config->storage;
    storage::Mode mode = storage::mode_from_environment();

    if (command == "status") {
        for (const auto &volume : storage::status(storage)) {
            std::printf("%s %s %s on_lock=%s%s%s\n", volume.name.c_str(), volume.device.c_str(),
                        storage::to_string(volume.state),
                        volume.policy == config::OnLock::suspend ? "suspend" : "keep",
                        volume.error.empty() ? "" : " error: ", volume.error.c_str());
            for (const auto &token : volume.tokens)
                std::printf("  token %s\n", token.c_str());
        }
        return 0;
    }
    if (command == "lock")
        return report(storage::lock_volumes(storage, mode));
    if (command != "unlock" && command != "unlock-one")
        return usage();
    secure::SecretBuffer passphrase;
    if (!read_passphrase(passphrase)) {
        std::fprintf(stderr, "storage-tool: cannot read the passphrase\n");
        return 2;
    }
    if (command == "unlock")
        return report(storage::unlock_volumes(storage, passphrase.view(), mode));
    for (const auto &volume : storage.volumes)
        if (volume.name == name)
            return report(storage::unlock_with_keys(
                storage, std::vector<storage::VolumeKeys>{{&volume, {passphrase.view()}}}, mode));
    std::fprintf(stderr, "storage-tool: no volume %s in the config\n", name.c_str());
    return 2;
}
