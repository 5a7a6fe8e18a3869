#include "pool.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "common.h"

namespace walrus {

namespace {

/**
 * How long an idle worker keeps polling for the next job before it sleeps. Codec calls come in
 * bursts, and waking a sleeping thread costs tens of microseconds: as much as a whole
 * mid-sized call.
 */
constexpr auto kSpinBeforeSleep = std::chrono::microseconds(200);
/** Polls between clock reads while spinning. */
constexpr int kPollsPerClockRead = 64;

inline void CpuRelax() {
#if WALRUS_X86
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

/**
 * Job hand-off is lock-free. Everything a worker needs to decide whether it may take part in a
 * job, and which part to run, lives in one 64-bit atomic word, `claim_`:
 *
 *   bits 63..32  generation: which job the word describes (bumped once per job)
 *   bits 31..24  helpers: pool workers that may still join this job (the kernel's thread limit)
 *   bits 23..0   remaining: parts not yet handed out; the next part is parts_ - remaining
 *
 * Why one word: a job used to be published field by field (task, parts, pending, helper count,
 * part counter reset, then the generation). A worker that woke for the previous job too late to
 * help (the caller had finished it alone) still passed the generation check while the next job
 * was being published, and so could act on a mix of the two: take a number from the old, spent
 * part counter (before its reset) that was below the new job's part count (already stored), and
 * run that part with the new task; the caller then reset the counter and ran the same part again.
 * FFT parts transform in place, so a part run twice corrupts the output. Such a worker could
 * also use up a helper slot of the new job.
 *
 * Now a worker only ever acts through compare-exchange on `claim_` with the generation it set out
 * to join, so it either acts on exactly that job or, once any other job is published, fails and
 * looks again. A new job is published by one store of `claim_`, after its other fields are set;
 * those fields are read only after a successful claim, when the job cannot finish (its `pending_`
 * count includes the claimed part) and so cannot be replaced. Joining (taking a helper slot) and
 * claiming the first part are one compare-exchange, so no worker takes a helper slot of a job it
 * does not run a part of. An exhausted job (remaining 0) offers nothing, and `pending_` is only
 * decremented for a claimed part, so once it reaches 0 no worker touches the job again and the
 * caller may return. Generations would need a worker to stall across 2^32 jobs between its load
 * and its compare-exchange to be confused (ABA), which we accept.
 *
 * The mutex and condition variable only park workers that stayed idle past kSpinBeforeSleep.
 */
class Pool {
 public:
  Pool() {
    pthread_mutex_init(&sleep_mutex_, nullptr);
    pthread_cond_init(&wake_, nullptr);
    pthread_mutex_init(&busy_, nullptr);
    const int wanted = MaxPoolThreads() - 1;
    for (int i = 0; i < wanted; i++) {
      pthread_t thread;
      // A worker that cannot be started only lowers parallelism; the caller always works too.
      if (pthread_create(&thread, nullptr, &Pool::WorkerMain, this) != 0) break;
      pthread_detach(thread);
      workers_++;
    }
  }

  void Run(int threads, int parts, const PartTask& task) {
    if (workers_ == 0 || parts > kMaxParts || pthread_mutex_trylock(&busy_) != 0) {
      for (int p = 0; p < parts; p++) task.Run(p);
      return;
    }
    // Only the holder of busy_ writes claim_'s generation, and the last job is exhausted
    // (remaining 0), so no worker can be using task_ or parts_ now.
    const uint32_t generation = Generation(claim_.load()) + 1;
    const int helpers = std::min(threads - 1, workers_);
    task_ = &task;
    parts_ = parts;
    pending_.store(parts);
    // The publication: one store, after everything above (seq_cst orders it after them).
    claim_.store(Pack(generation, static_cast<uint32_t>(helpers), static_cast<uint32_t>(parts)));
    if (sleepers_.load() > 0) {
      pthread_mutex_lock(&sleep_mutex_);
      pthread_cond_broadcast(&wake_);
      pthread_mutex_unlock(&sleep_mutex_);
    }
    RunParts(generation, claim_.load());
    // Parts claimed by workers may still be running; once pending_ is 0 none are, and no worker
    // can claim another part of this job (remaining is 0) or of any other until the next Run.
    while (pending_.load() > 0) CpuRelax();
    pthread_mutex_unlock(&busy_);
  }

 private:
  static constexpr int kRemainingBits = 24;
  static constexpr int kHelperBits = 8;
  static constexpr uint64_t kRemainingMask = (uint64_t{1} << kRemainingBits) - 1;
  static constexpr uint64_t kHelperMask = ((uint64_t{1} << kHelperBits) - 1) << kRemainingBits;
  static constexpr uint64_t kOneHelper = uint64_t{1} << kRemainingBits;
  /** Larger jobs run on the caller alone; the codec's jobs have at most kMaxThreads × a few parts. */
  static constexpr int kMaxParts = static_cast<int>(kRemainingMask);
  static_assert(kMaxThreads < (1 << kHelperBits), "helper count must fit its bits");

  static uint64_t Pack(uint32_t generation, uint32_t helpers, uint32_t remaining) {
    return uint64_t{generation} << 32 | uint64_t{helpers} << kRemainingBits | remaining;
  }
  static uint32_t Generation(uint64_t word) { return static_cast<uint32_t>(word >> 32); }
  static uint32_t Helpers(uint64_t word) { return static_cast<uint32_t>((word & kHelperMask) >> kRemainingBits); }
  static uint32_t Remaining(uint64_t word) { return static_cast<uint32_t>(word & kRemainingMask); }

  static void* WorkerMain(void* self) {
    static_cast<Pool*>(self)->WorkLoop();
    return nullptr;
  }

  void WorkLoop() {
    uint32_t seen = Generation(claim_.load());
    for (;;) {
      seen = AwaitJob(seen);
      // Join job `seen` by taking a helper slot together with its first part. If the job has no
      // slot or part left, or was replaced meanwhile, skip it: AwaitJob then returns at once if a
      // newer one is already published.
      uint64_t word = claim_.load();
      while (Generation(word) == seen && Helpers(word) > 0 && Remaining(word) > 0) {
        if (claim_.compare_exchange_weak(word, word - kOneHelper - 1)) {
          RunClaimed(Remaining(word));
          RunParts(seen, claim_.load());
          break;
        }
      }
    }
  }

  /** Returns the generation of the next job after `seen`, spinning first, then sleeping. */
  uint32_t AwaitJob(uint32_t seen) {
    const auto deadline = std::chrono::steady_clock::now() + kSpinBeforeSleep;
    for (;;) {
      for (int i = 0; i < kPollsPerClockRead; i++) {
        const uint32_t current = Generation(claim_.load());
        if (current != seen) return current;
        CpuRelax();
      }
      if (std::chrono::steady_clock::now() >= deadline) break;
    }
    pthread_mutex_lock(&sleep_mutex_);
    sleepers_.fetch_add(1);
    while (Generation(claim_.load()) == seen) pthread_cond_wait(&wake_, &sleep_mutex_);
    sleepers_.fetch_sub(1);
    pthread_mutex_unlock(&sleep_mutex_);
    return Generation(claim_.load());
  }

  /** Claims and runs parts of job `generation` until it has none left or is no longer current. */
  void RunParts(uint32_t generation, uint64_t word) {
    while (Generation(word) == generation && Remaining(word) > 0) {
      // On failure `word` is reloaded and checked again; another thread made progress.
      if (claim_.compare_exchange_weak(word, word - 1)) {
        RunClaimed(Remaining(word));
        word = claim_.load();
      }
    }
  }

  /** Runs the part claimed by taking `remaining` down by one; the job stays put until pending_ drops. */
  void RunClaimed(uint32_t remaining) {
    task_->Run(parts_ - static_cast<int>(remaining));
    pending_.fetch_sub(1);
  }

  pthread_mutex_t sleep_mutex_;
  pthread_cond_t wake_;
  /** Held by the one caller currently using the workers. */
  pthread_mutex_t busy_;
  int workers_ = 0;
  /** Generation, helper slots and parts remaining of the current job; see the class comment. */
  std::atomic<uint64_t> claim_{0};
  /**
   * The current job. Plain fields: written by the caller before it publishes claim_, read by a
   * worker only after a successful claim (which synchronizes with that store), and not written
   * again until the caller has seen pending_ reach 0, i.e. after every claimed part is done.
   */
  const PartTask* task_ = nullptr;
  int parts_ = 0;
  /** Parts of the current job not yet finished. */
  std::atomic<int> pending_{0};
  std::atomic<int> sleepers_{0};
};

Pool& ThePool() {
  // Never destroyed: detached workers use it until the process ends.
  static Pool* pool = new Pool();
  return *pool;
}

}  // namespace

void RunParts(int threads, int parts, const PartTask& task) {
  if (threads <= 1 || parts <= 1) {
    for (int p = 0; p < parts; p++) task.Run(p);
    return;
  }
  ThePool().Run(threads, parts, task);
}

int MaxPoolThreads() {
  static const int threads = std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, kMaxThreads);
  return threads;
}

}  // namespace walrus
