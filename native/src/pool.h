// A small persistent pool that lets one synchronous call spread its work over several cores.
#pragma once

#include <cstddef>

namespace walrus {

/** A unit of parallel work: called once for every part index in [0, parts). */
class PartTask {
 public:
  virtual void Run(int part) const = 0;

 protected:
  ~PartTask() = default;
};

template <class F>
class LambdaTask final : public PartTask {
 public:
  explicit LambdaTask(const F& fn) : fn_(fn) {}
  void Run(int part) const override { fn_(part); }

 private:
  const F& fn_;
};

/**
 * Runs task.Run(p) for every p < parts, on the calling thread and up to `threads - 1` pool
 * workers, and returns when all parts are done. Parts are handed out one at a time, so using
 * more parts than threads evens out a worker that wakes late. Runs everything on the caller
 * when threads <= 1, parts <= 1, or another thread is already using the pool.
 */
void RunParts(int threads, int parts, const PartTask& task);

template <class F>
void ParallelFor(int threads, int parts, const F& fn) {
  RunParts(threads, parts, LambdaTask<F>(fn));
}

/** Most threads one call may occupy: the hardware's, capped; the calling thread included. */
int MaxPoolThreads();

/** A hard cap on MaxPoolThreads(): beyond it the codec gains little and hogs memory bandwidth. */
constexpr int kMaxThreads = 16;

}  // namespace walrus
