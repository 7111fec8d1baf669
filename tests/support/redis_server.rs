//! A real `redis-server` for one test: on a free 127.0.0.1 port, with no
//! persistence, its files in the test's own directory, stopped by PID when
//! dropped. Never a system instance.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{STARTUP, TempDir, free_port};

/// A running `redis-server`, killed when dropped.
pub struct RedisServer {
    child: Option<Child>,
    /// The port it listens on (kept across [`RedisServer::restart`]).
    pub port: u16,
    dir: TempDir,
}

impl RedisServer {
    /// Starts one on a free port and waits (bounded) until it answers PING.
    /// If another process takes the port first, tries another.
    pub fn start(tag: &str) -> RedisServer {
        let dir = TempDir::new(tag);
        for _attempt in 0..5 {
            let port = free_port();
            if let Some(child) = spawn(port, dir.path()) {
                return RedisServer {
                    child: Some(child),
                    port,
                    dir,
                };
            }
        }
        panic!("redis-server did not start (is it installed? .ci/run installs it)");
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The process id, while it runs.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("redis-server is running").id()
    }

    /// Kills it and waits for it to exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port (empty: nothing is saved), and
    /// waits until it answers PING.
    pub fn restart(&mut self) {
        self.stop();
        // The old socket may linger a moment; retry within the deadline.
        let deadline = Instant::now() + STARTUP;
        while Instant::now() < deadline {
            if let Some(child) = spawn(self.port, self.dir.path()) {
                self.child = Some(child);
                return;
            }
        }
        panic!("redis-server did not restart on port {}", self.port);
    }

    /// `kill -STOP`: the process stops answering, its socket stays open
    /// (connections are accepted by the kernel and never answered).
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    /// `kill -CONT`: it answers again.
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(signal)
            .arg(self.pid().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill {signal} failed");
    }

    /// A connection for the test itself (to plant values, inspect keys).
    pub fn connection(&self) -> redis::Connection {
        let client = redis::Client::open(self.url()).expect("redis URL");
        let con = client
            .get_connection_with_timeout(Duration::from_secs(5))
            .expect("connect to the test's redis-server");
        con.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("read time-out");
        con
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        // A paused process still dies of SIGKILL.
        self.stop();
    }
}

/// Starts `redis-server` on `port` and waits until it answers PING; `None`
/// if it exited (the port was taken) or did not answer in time.
fn spawn(port: u16, dir: &Path) -> Option<Child> {
    let client = redis::Client::open(format!("redis://127.0.0.1:{port}")).expect("redis URL");
    let mut child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no", "--dir"])
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start redis-server (is it installed?): {e}"));
    let deadline = Instant::now() + STARTUP;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return None;
        }
        let pong = client
            .get_connection_with_timeout(Duration::from_millis(200))
            .and_then(|mut con| redis::cmd("PING").query::<String>(&mut con));
        if pong.is_ok_and(|p| p == "PONG") {
            // Ours, and not another test's that won the race for the port?
            let ours = format!("process_id:{}\r\n", child.id());
            let info = client
                .get_connection_with_timeout(Duration::from_millis(200))
                .and_then(|mut con| redis::cmd("INFO").arg("server").query::<String>(&mut con));
            if info.is_ok_and(|info| info.contains(&ours)) {
                return Some(child);
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}
