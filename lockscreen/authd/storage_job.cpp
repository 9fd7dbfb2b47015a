#include "storage_job.hpp"

#include "channel.hpp"
#include "storage/volumes.hpp"
#include "util/log.hpp"

namespace rampart::authd {

namespace {
std::string describe(const std::vector<storage::VolumeStatus> &volumes)
{
    std::string text;
    for (const storage::VolumeStatus &volume : volumes) {
        text += volume.name + " (" + volume.device + "): " + storage::to_string(volume.state) +
                ", on lock: " + (volume.policy == config::OnLock::suspend ? "suspend" : "keep");
        if (!volume.error.empty())
            text += ", " + volume.error;
        text += "\n";
        if (volume.tokens.empty())
            text += "  no enrolled tokens\n";
        for (const std::string &token : volume.tokens)
            text += "  token: " + token + "\n";
    }
    if (!text.empty())
        text.pop_back();
    return text;
}
} // namespace

void run_storage_job(const auth::StorageRequest &request, const config::StorageConfig &storage,
                     Channel &channel)
{
    auth::StorageDone done{request.attempt, true, {}};
    if (request.op == auth::StorageOp::lock) {
        storage::Outcome outcome = storage::lock_volumes(storage, storage::mode_from_environment());
        done.ok = outcome.ok;
        done.text = outcome.ok ? "" : outcome.user_message;
    } else {
        done.text = storage.volumes.empty() ? "No encrypted volumes are configured."
                                            : describe(storage::status(storage));
    }
    // A long status is cut to what one frame carries (sanitize_text cuts on a code point).
    done.text = auth::sanitize_text(done.text);
    channel.send(auth::encode(done));
}

std::string unlock_storage(const config::StorageConfig &storage, std::span<const char> password)
{
    if (storage.volumes.empty())
        return {};
    storage::Outcome outcome =
        storage::unlock_volumes(storage, password, storage::mode_from_environment());
    return outcome.ok ? std::string() : outcome.user_message;
}

} // namespace rampart::authd
