//! A computation kept per key, for the page's panels that compute between frames (the
//! trade-off's flip point, the sampling experiment): the last finished result, the one under
//! way, and a revision that moves at each finish.

/// The last result finished and the job under way, each with the key it is for.
#[derive(Clone, Debug)]
pub(crate) struct Keyed<K, J, R> {
    pub done: Option<(K, R)>,
    pub job: Option<(K, J)>,
    revision: u64,
}

impl<K, J, R> Default for Keyed<K, J, R> {
    fn default() -> Self {
        Keyed {
            done: None,
            job: None,
            revision: 0,
        }
    }
}

impl<K: PartialEq, J, R> Keyed<K, J, R> {
    /// The finished result for `key`, if it is the last one.
    pub fn finished(&self, key: &K) -> Option<&R> {
        (self.done.as_ref()).and_then(|(k, r)| (k == key).then_some(r))
    }

    /// Drops a job under way for another key.
    pub fn keep_only(&mut self, key: &K) {
        if self.job.as_ref().is_some_and(|(k, _)| k != key) {
            self.job = None;
        }
    }

    /// Ends the job under way, its result made from it (kept with the job's key); the
    /// revision moves.
    pub fn finish(&mut self, result: impl FnOnce(J) -> R) {
        if let Some((key, job)) = self.job.take() {
            self.done = Some((key, result(job)));
            self.revision += 1;
        }
    }

    /// True while a job is under way.
    pub fn pending(&self) -> bool {
        self.job.is_some()
    }

    /// Moves whenever a job finishes.
    pub fn revision(&self) -> u64 {
        self.revision
    }
}
