//! A real editor against the real server: headless Neovim runs `tests/neovim/meshls_spec.lua`,
//! which starts `meshls` through Neovim's own LSP client on a copy of `fixtures/bikeshop` and
//! checks diagnostics, hover and go-to-definition (see the script for the steps).
//!
//! Needs `nvim` (0.7 or newer) on PATH; `scripts/test` installs it. Without it the test fails
//! when `CI` is set and is skipped (loudly) otherwise.

#[path = "support/fixture.rs"]
mod fixture;

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(60);

fn nvim_on_path() -> bool {
    Command::new("nvim")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn neovim_diagnostics_hover_definition_and_completion() {
    if !nvim_on_path() {
        if std::env::var_os("CI").is_some() {
            panic!("`nvim` is not on PATH, and CI is set: install Neovim (scripts/test does) to run this test");
        }
        eprintln!();
        eprintln!("**********************************************************************");
        eprintln!("*** SKIPPED tests/neovim.rs: `nvim` is not on PATH.");
        eprintln!("*** Install Neovim (apt-get install neovim, or run scripts/test).");
        eprintln!("**********************************************************************");
        eprintln!();
        return;
    }

    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let workspace = dir.path().join("bikeshop");
    fixture::copy_dir(&manifest.join("fixtures/bikeshop"), &workspace);
    // Neovim's LSP log (which holds the server's stderr) and any other state go in the temp
    // folder, so a run neither reads nor writes the user's and the script can print a clean log.
    let home = dir.path().join("xdg");

    let mut child = Command::new("nvim")
        .args(["--headless", "--clean", "-u", "NONE", "-c", "luafile tests/neovim/meshls_spec.lua"])
        .current_dir(manifest)
        .env("MESHLS_BIN", env!("CARGO_BIN_EXE_meshls"))
        .env("MESHLS_WORKSPACE", &workspace)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group, so a timeout kills Neovim and the server it started.
        .process_group(0)
        .spawn()
        .expect("cannot start nvim");
    let pid = child.id() as i32;
    let read = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut out = Vec::new();
            let _ = pipe.read_to_end(&mut out);
            String::from_utf8_lossy(&out).into_owned()
        })
    };
    let stdout = read(Box::new(child.stdout.take().unwrap()));
    let stderr = read(Box::new(child.stderr.take().unwrap()));

    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > TIMEOUT {
            // SAFETY: kill(2) on the process group created above.
            unsafe { libc::kill(-pid, libc::SIGKILL) };
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(50));
    };
    // Whatever is left of the group (the server, if Neovim died without stopping it).
    // SAFETY: as above; ESRCH when the group is already gone is fine.
    unsafe { libc::kill(-pid, libc::SIGKILL) };
    let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());

    let report = format!("--- nvim stdout ---\n{stdout}\n--- nvim stderr ---\n{stderr}");
    match status {
        None => panic!("nvim did not finish within {TIMEOUT:?}\n{report}"),
        Some(status) => assert!(status.success(), "nvim exited with {status}\n{report}"),
    }
    println!("{report}");
}
