//! Running the real `divergence` binary, shared by the CLI's test files.
#![allow(dead_code)]

use serde_json::Value;
use std::process::Command;

/// The post's target (SPEC §2).
pub const POST: &str = "0.5:-4:1,0.5:4:1";

/// Exit code, stdout and stderr of `divergence ARGS`.
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_divergence"))
        .args(args)
        .output()
        .expect("run divergence");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// stdout of a successful `divergence ARGS` as JSON (nothing on stderr).
pub fn json(args: &[&str]) -> Value {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    assert!(err.is_empty(), "stderr: {err}");
    serde_json::from_str(&out).expect("stdout is JSON")
}
