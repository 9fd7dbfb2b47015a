// The lock screen's state machine and its state file, alone: every path from a lock request
// to the one way out (a success for the current attempt after the user answered).
#include "lock_state.hpp"
#include "lock_store.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace rampart;
using namespace rampart::lockscreen;
using namespace std::chrono_literals;

namespace {
struct Recorder : LockActions {
    std::vector<uint32_t> starts;
    std::vector<std::string> answers;
    int restarts = 0, stops = 0, unlocks = 0, changes = 0;
    std::vector<PersistentLockState> saved;
    void start_check(uint32_t attempt) override { starts.push_back(attempt); }
    void lock_storage(uint32_t) override {}
    void send_answer(uint32_t, std::span<const char> secret) override
    {
        answers.emplace_back(secret.data(), secret.size());
    }
    void restart_broker() override { ++restarts; }
    void stop_broker() override { ++stops; }
    void unlocked() override { ++unlocks; }
    void persist(const PersistentLockState &state) override { saved.push_back(state); }
    void changed() override { ++changes; }
};

auth::Prompt secret_prompt(uint32_t attempt)
{
    return {attempt, auth::PromptStyle::secret, "Password: "};
}
auth::Result result(uint32_t attempt, auth::Status status)
{
    return {attempt, status, 0, ""};
}

// Locked with a broker that is up, and the first prompt shown.
struct Locked {
    Recorder actions;
    LockController lock{LockSettings{}, actions};
    Clock now{100'000};
    Locked()
    {
        lock.broker_ready(now);
        lock.lock(now);
        lock.prompt(secret_prompt(lock.current_attempt()), now);
    }
};
} // namespace

TEST_CASE("backoff: free attempts, then doubling up to the maximum", "[lock_state]")
{
    LockSettings settings;
    settings.free_attempts = 3;
    settings.backoff_base = 5s;
    settings.backoff_max = 30s;
    CHECK(backoff_for(settings, 0) == 0ms);
    CHECK(backoff_for(settings, 2) == 0ms);
    CHECK(backoff_for(settings, 3) == 5s);
    CHECK(backoff_for(settings, 4) == 10s);
    CHECK(backoff_for(settings, 5) == 20s);
    CHECK(backoff_for(settings, 6) == 30s);
    CHECK(backoff_for(settings, 1'000'000) == 30s); // no overflow
}

TEST_CASE("only a success for the current attempt after an answer unlocks", "[lock_state]")
{
    Locked l;
    REQUIRE(l.lock.locked());
    REQUIRE(l.lock.phase() == Phase::prompting);
    CHECK(l.actions.saved.back().locked);
    uint32_t attempt = l.lock.current_attempt();

    SECTION("success before any answer is refused (pam_permit would make the lock decoration)")
    {
        l.lock.result(result(attempt, auth::Status::success), l.now);
        CHECK(l.lock.locked());
        CHECK(l.actions.unlocks == 0);
        CHECK(l.actions.stops == 1); // a result while a prompt waits is a protocol violation
    }
    SECTION("a result for another attempt is a protocol violation: broker stopped, locked")
    {
        l.lock.type("secret");
        l.lock.submit(l.now);
        l.lock.result(result(attempt + 1, auth::Status::success), l.now);
        CHECK(l.lock.locked());
        CHECK(l.actions.stops == 1);
        CHECK(l.lock.phase() == Phase::broker_down);
    }
    SECTION("the right answer")
    {
        l.lock.type("sec");
        l.lock.type("ret");
        CHECK(l.lock.typed_count() == 6);
        CHECK(l.lock.visible_answer().empty()); // secret prompt: never shown
        l.lock.submit(l.now);
        CHECK(l.actions.answers == std::vector<std::string>{"secret"});
        CHECK(l.lock.typed_count() == 0); // wiped once sent
        CHECK(l.lock.phase() == Phase::checking);
        CHECK_FALSE(l.lock.input_enabled());
        l.lock.result(result(attempt, auth::Status::success), l.now);
        CHECK_FALSE(l.lock.locked());
        CHECK(l.actions.unlocks == 1);
        CHECK(l.actions.saved.back() == PersistentLockState{});
    }
}

TEST_CASE("wrong answers count, back off, and the count is kept", "[lock_state]")
{
    Locked l;
    for (unsigned failure = 1; failure <= 3; ++failure) {
        l.lock.type("wrong");
        l.lock.submit(l.now);
        l.lock.result(result(l.lock.current_attempt(), auth::Status::denied), l.now);
        CHECK(l.lock.failures() == failure);
        CHECK(l.lock.message() == "Wrong password");
        if (failure < 3) {
            CHECK(l.lock.phase() == Phase::starting); // a new attempt at once
            l.lock.prompt(secret_prompt(l.lock.current_attempt()), l.now);
        }
    }
    // The third failure (free_attempts = 3) starts a 5 s wait: no attempt, no typing.
    CHECK(l.lock.phase() == Phase::backoff);
    CHECK(l.lock.seconds_to_wait(l.now) == 5);
    CHECK(l.actions.saved.back().failures == 3);
    CHECK(l.actions.saved.back().backoff_until_ms == (l.now + 5s).count());
    l.lock.type("x");
    CHECK(l.lock.typed_count() == 0);
    size_t starts = l.actions.starts.size();
    l.lock.tick(l.now + 4s);
    CHECK(l.lock.phase() == Phase::backoff);
    CHECK(l.lock.next_deadline() == l.now + 5s);
    l.lock.tick(l.now + 5s);
    CHECK(l.lock.phase() == Phase::starting);
    CHECK(l.actions.starts.size() == starts + 1);
}

TEST_CASE("a restored backoff is honoured at the next lock", "[lock_state]")
{
    Recorder actions;
    LockController lock({}, actions);
    lock.restore({true, 4, 200'000});
    lock.broker_ready(Clock{100'000});
    lock.lock(Clock{100'000});
    CHECK(lock.phase() == Phase::backoff);
    CHECK(lock.failures() == 4);
    CHECK(actions.starts.empty());
    lock.tick(Clock{200'000});
    CHECK(actions.starts.size() == 1);
}

TEST_CASE("broker crash, hang and absence keep it locked and retry with growing waits",
          "[lock_state]")
{
    Locked l;
    l.lock.type("secret");
    l.lock.submit(l.now);
    SECTION("crash mid-check")
    {
        l.lock.broker_lost(l.now);
        CHECK(l.lock.locked());
        CHECK(l.lock.phase() == Phase::broker_down);
        CHECK(l.lock.message() == "Authentication is not available");
        CHECK(l.lock.seconds_to_wait(l.now) == 1);
        l.lock.tick(l.now + 1s);
        CHECK(l.actions.restarts == 1);
        // Still down: the next wait doubles.
        l.lock.broker_lost(l.now + 1s);
        CHECK(l.lock.seconds_to_wait(l.now + 1s) == 2);
        // Back: a fresh attempt; a late result for the old one cannot unlock.
        l.lock.tick(l.now + 3s);
        l.lock.broker_ready(l.now + 3s);
        CHECK(l.lock.phase() == Phase::starting);
    }
    SECTION("hang: silent past the check timeout")
    {
        l.lock.tick(l.now + 59s);
        CHECK(l.actions.stops == 0);
        l.lock.tick(l.now + 60s);
        CHECK(l.actions.stops == 1);
        CHECK(l.lock.phase() == Phase::broker_down);
        CHECK(l.lock.message().find("took too long") != std::string::npos);
    }
    CHECK(l.actions.unlocks == 0);
}

TEST_CASE("a broken PAM stack is retried after a pause, not in a tight loop", "[lock_state]")
{
    Locked l;
    l.lock.type("x");
    l.lock.submit(l.now);
    l.lock.result({l.lock.current_attempt(), auth::Status::unavailable, 0, "no module"}, l.now);
    CHECK(l.lock.phase() == Phase::broker_down);
    CHECK(l.lock.message() == "Authentication is not available: no module");
    size_t starts = l.actions.starts.size();
    l.lock.tick(l.now + 500ms);
    CHECK(l.actions.starts.size() == starts);
    l.lock.tick(l.now + 1s);
    CHECK(l.actions.starts.size() == starts + 1);
}

TEST_CASE("typing: UTF-8 backspace, Escape, echo-on prompts, Enter before the prompt",
          "[lock_state]")
{
    Recorder actions;
    LockController lock({}, actions);
    lock.broker_ready(Clock{0});
    lock.lock(Clock{0});
    REQUIRE(lock.phase() == Phase::starting);
    lock.type("pä");
    lock.type("ß");
    CHECK(lock.typed_count() == 3);
    lock.erase_last();
    CHECK(lock.typed_count() == 2);
    lock.submit(Clock{0}); // before the prompt: sent as soon as it comes
    CHECK(actions.answers.empty());
    lock.prompt({lock.current_attempt(), auth::PromptStyle::secret, "Password: "}, Clock{0});
    REQUIRE(actions.answers.size() == 1);
    CHECK(actions.answers[0] == "pä");
    lock.prompt({lock.current_attempt(), auth::PromptStyle::visible, "Code: "}, Clock{0});
    lock.type("123");
    CHECK(lock.visible_answer() == "123");
    lock.clear_input();
    CHECK(lock.typed_count() == 0);
    // Longer than any answer may be: the rest is dropped, never reallocated.
    for (int i = 0; i < 1000; ++i)
        lock.type("x");
    CHECK(lock.typed_count() == auth::max_secret);
}

TEST_CASE("logind's unlock (when allowed) and the state after it", "[lock_state]")
{
    Locked l;
    l.lock.force_unlock();
    CHECK_FALSE(l.lock.locked());
    CHECK(l.actions.unlocks == 1);
    CHECK_FALSE(l.actions.saved.back().locked);
}

TEST_CASE("lock state file: round trip, and anything odd reads as locked", "[lock_state][store]")
{
    char pattern[] = "/tmp/rampart-store-XXXXXX";
    REQUIRE(mkdtemp(pattern));
    std::string root = pattern;
    std::string path = lock_state_path(root, "wayland-1");
    CHECK(load_lock_state(path).status == LoadedLockState::Status::missing);

    std::string error;
    PersistentLockState state{true, 7, 123456};
    REQUIRE(save_lock_state(path, state, error));
    LoadedLockState loaded = load_lock_state(path);
    CHECK(loaded.status == LoadedLockState::Status::ok);
    CHECK(loaded.state == state);
    struct stat info {};
    REQUIRE(stat(path.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    REQUIRE(stat((root + "/rampart").c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0700);

    auto write_raw = [&](const std::string &text) {
        std::filesystem::remove(path);
        std::ofstream(path) << text;
        chmod(path.c_str(), 0600);
    };
    for (const char *bad : {"", "locked=0\n", "locked=2\nfailures=0\nbackoff_until_ms=0\n",
                            "locked=0\nfailures=-1\nbackoff_until_ms=0\n",
                            "locked=0\nfailures=0\nbackoff_until_ms=0\nextra=1\n",
                            "locked=0 failures=0", "\x01\x02\x03"}) {
        write_raw(bad);
        LoadedLockState odd = load_lock_state(path);
        INFO(bad);
        CHECK(odd.status == LoadedLockState::Status::unsafe);
        CHECK(odd.state.locked);
    }
    // Writable by others: not trusted either.
    write_raw("locked=0\nfailures=0\nbackoff_until_ms=0\n");
    CHECK(load_lock_state(path).status == LoadedLockState::Status::ok);
    chmod(path.c_str(), 0666);
    CHECK(load_lock_state(path).state.locked);
    // A symlink is refused.
    std::filesystem::remove(path);
    std::filesystem::create_symlink("/etc/hostname", path);
    CHECK(load_lock_state(path).status == LoadedLockState::Status::unsafe);
    std::filesystem::remove_all(root);
}

TEST_CASE("a PAM stack that succeeds without asking anything is refused", "[lock_state]")
{
    Recorder actions;
    LockController lock({}, actions);
    lock.broker_ready(Clock{0});
    lock.lock(Clock{0});
    REQUIRE(lock.phase() == Phase::starting);
    // pam_permit: success arrives before any prompt, so nothing the user typed was checked.
    lock.result({lock.current_attempt(), auth::Status::success, 0, ""}, Clock{0});
    CHECK(lock.locked());
    CHECK(actions.unlocks == 0);
    CHECK(actions.stops == 0); // not a protocol violation: a broken stack, retried later
    CHECK(lock.message().find("did not ask") != std::string::npos);
    CHECK(lock.phase() == Phase::broker_down);
}

TEST_CASE("free_attempts = 0: every failure waits, the first one backoff_base", "[lock_state]")
{
    LockSettings settings;
    settings.free_attempts = 0;
    settings.backoff_base = 5s;
    CHECK(backoff_for(settings, 0) == 0ms);
    CHECK(backoff_for(settings, 1) == 5s);
    CHECK(backoff_for(settings, 2) == 10s);
}

TEST_CASE("an unavailable result does not repeat its own words", "[lock_state]")
{
    Locked l;
    l.lock.type("x");
    l.lock.submit(l.now);
    l.lock.result({l.lock.current_attempt(), auth::Status::unavailable, 0,
                   "Authentication is not available."},
                  l.now);
    CHECK(l.lock.message() == "Authentication is not available");
}

TEST_CASE("with volumes to suspend, storage is locked before the first attempt", "[lock_state]")
{
    struct StorageRecorder : Recorder {
        std::vector<uint32_t> storage_requests;
        void lock_storage(uint32_t request) override { storage_requests.push_back(request); }
    } actions;
    LockSettings settings;
    settings.lock_storage = true;
    LockController lock(settings, actions);
    lock.broker_ready(Clock{0});
    lock.lock(Clock{0});
    REQUIRE(lock.phase() == Phase::securing);
    REQUIRE(actions.storage_requests.size() == 1);
    CHECK(actions.starts.empty());
    CHECK_FALSE(lock.input_enabled());
    SECTION("done: then the first attempt")
    {
        lock.storage_done({actions.storage_requests[0], true, ""}, Clock{0});
        CHECK(lock.phase() == Phase::starting);
        CHECK(actions.starts.size() == 1);
    }
    SECTION("failed: the user is told, and may still unlock")
    {
        lock.storage_done(
            {actions.storage_requests[0], false, "Volume home could not be suspended"}, Clock{0});
        CHECK(lock.message() == "Volume home could not be suspended");
        CHECK(lock.phase() == Phase::starting);
    }
    SECTION("the broker dies meanwhile: asked again once it is back")
    {
        lock.broker_lost(Clock{0});
        lock.tick(Clock{1000});
        lock.broker_ready(Clock{1000});
        CHECK(actions.storage_requests.size() == 2);
    }
    SECTION("a broker lost after an answer: storage is locked again before the next attempt")
    {
        // Its success may have opened the volumes and then been lost with it.
        lock.storage_done({actions.storage_requests[0], true, ""}, Clock{0});
        lock.prompt({lock.current_attempt(), auth::PromptStyle::secret, "Password: "}, Clock{0});
        lock.type("pw");
        lock.submit(Clock{0});
        REQUIRE(lock.phase() == Phase::checking);
        lock.broker_lost(Clock{0});
        lock.tick(Clock{1000});
        lock.broker_ready(Clock{1000});
        CHECK(lock.phase() == Phase::securing);
        CHECK(actions.storage_requests.size() == 2);
    }
    SECTION("a success without an answer is refused, and storage is locked again")
    {
        lock.storage_done({actions.storage_requests[0], true, ""}, Clock{0});
        lock.result({lock.current_attempt(), auth::Status::success, 0, ""}, Clock{0});
        CHECK(lock.locked());
        lock.tick(Clock{60'000});
        CHECK(actions.storage_requests.size() == 2);
        CHECK(lock.phase() == Phase::securing);
    }
    SECTION("any answered check that did not unlock: storage is locked again first")
    {
        // Its child may have resumed a volume and died, or failed to suspend it again.
        const auth::Status status = GENERATE(auth::Status::denied, auth::Status::expired,
                                             auth::Status::cancelled, auth::Status::unavailable);
        lock.storage_done({actions.storage_requests[0], true, ""}, Clock{0});
        lock.prompt({lock.current_attempt(), auth::PromptStyle::secret, "Password: "}, Clock{0});
        lock.type("pw");
        lock.submit(Clock{0});
        lock.result({lock.current_attempt(), status, 0, ""}, Clock{0});
        lock.tick(Clock{5'000}); // past a pause, if the status brought one
        CHECK(lock.phase() == Phase::securing);
        CHECK(actions.storage_requests.size() == 2);
        CHECK(actions.starts.size() == 1);
        lock.storage_done({actions.storage_requests[1], true, ""}, Clock{5'000});
        CHECK(lock.phase() == Phase::starting);
    }
    SECTION("a check that ends before any answer leaves the lock policy in place")
    {
        lock.storage_done({actions.storage_requests[0], true, ""}, Clock{0});
        lock.result({lock.current_attempt(), auth::Status::cancelled, 0, ""}, Clock{0});
        CHECK(lock.phase() == Phase::starting);
        CHECK(actions.storage_requests.size() == 1);
    }
    SECTION("a prompt while securing is a protocol violation")
    {
        lock.prompt({lock.current_attempt(), auth::PromptStyle::secret, "Password: "}, Clock{0});
        CHECK(actions.stops == 1);
        CHECK(lock.phase() == Phase::broker_down);
    }
}

TEST_CASE("a broker that goes away during a backoff wait changes nothing on screen", "[lock_state]")
{
    Recorder actions;
    LockController lock({}, actions);
    lock.restore({true, 5, 200'000});
    lock.broker_ready(Clock{100'000});
    lock.lock(Clock{100'000});
    REQUIRE(lock.phase() == Phase::backoff);
    lock.broker_lost(Clock{150'000});
    CHECK(lock.phase() == Phase::backoff);
    CHECK(lock.message().empty());
    lock.tick(Clock{200'000});
    CHECK(actions.restarts == 1); // a new broker when the wait is over
}

TEST_CASE("a cancelled check says why when the broker gave a reason", "[lock_state]")
{
    Locked l;
    l.lock.type("123456");
    l.lock.submit(l.now);
    l.lock.result({l.lock.current_attempt(), auth::Status::cancelled, 0,
                   "The card \"card-a\" is now at its final PIN try. Unlock again to confirm "
                   "using it."},
                  l.now);
    CHECK(l.lock.phase() == Phase::starting);
    CHECK(l.lock.failures() == 0);
    CHECK(l.lock.message() ==
          "The card \"card-a\" is now at its final PIN try. Unlock again to confirm using it.");
    CHECK_FALSE(l.lock.message_is_error());
}
