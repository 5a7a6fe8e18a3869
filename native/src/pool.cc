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
 * Job hand-off is lock-free: the caller publishes a job by bumping `generation_`; workers claim
 * parts with a fetch-add on `next_part_`. The mutex and condition variable only park workers that
 * stayed idle past kSpinBeforeSleep.
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
    if (workers_ == 0 || pthread_mutex_trylock(&busy_) != 0) {
      for (int p = 0; p < parts; p++) task.Run(p);
      return;
    }
    task_.store(&task);
    parts_.store(parts);
    pending_.store(parts);
    helpers_left_.store(std::min(threads - 1, workers_));
    next_part_.store(0);
    generation_.fetch_add(1);
    if (sleepers_.load() > 0) {
      pthread_mutex_lock(&sleep_mutex_);
      pthread_cond_broadcast(&wake_);
      pthread_mutex_unlock(&sleep_mutex_);
    }
    RunParts();
    // Workers still inside this job may yet claim (and find no) parts; the next job must wait.
    while (pending_.load() > 0 || active_.load() > 0) CpuRelax();
    pthread_mutex_unlock(&busy_);
  }

 private:
  static void* WorkerMain(void* self) {
    static_cast<Pool*>(self)->WorkLoop();
    return nullptr;
  }

  void WorkLoop() {
    uint64_t seen = generation_.load();
    for (;;) {
      seen = AwaitJob(seen);
      active_.fetch_add(1);
      // The job may have finished and been replaced meanwhile; then look again.
      if (generation_.load() == seen && helpers_left_.fetch_sub(1) > 0) RunParts();
      active_.fetch_sub(1);
    }
  }

  /** Returns the generation of the next job after `seen`, spinning first, then sleeping. */
  uint64_t AwaitJob(uint64_t seen) {
    const auto deadline = std::chrono::steady_clock::now() + kSpinBeforeSleep;
    for (;;) {
      for (int i = 0; i < kPollsPerClockRead; i++) {
        const uint64_t current = generation_.load();
        if (current != seen) return current;
        CpuRelax();
      }
      if (std::chrono::steady_clock::now() >= deadline) break;
    }
    pthread_mutex_lock(&sleep_mutex_);
    sleepers_.fetch_add(1);
    while (generation_.load() == seen) pthread_cond_wait(&wake_, &sleep_mutex_);
    sleepers_.fetch_sub(1);
    pthread_mutex_unlock(&sleep_mutex_);
    return generation_.load();
  }

  void RunParts() {
    for (;;) {
      const int part = next_part_.fetch_add(1);
      if (part >= parts_.load()) return;
      task_.load()->Run(part);
      pending_.fetch_sub(1);
    }
  }

  pthread_mutex_t sleep_mutex_;
  pthread_cond_t wake_;
  /** Held by the one caller currently using the workers. */
  pthread_mutex_t busy_;
  int workers_ = 0;
  std::atomic<uint64_t> generation_{0};
  std::atomic<const PartTask*> task_{nullptr};
  std::atomic<int> parts_{0};
  std::atomic<int> next_part_{0};
  std::atomic<int> pending_{0};
  /** Workers that may still join the current job (the kernel's thread limit). */
  std::atomic<int> helpers_left_{0};
  /** Workers between noticing a job and leaving it. */
  std::atomic<int> active_{0};
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
