//! CPU time per request, of the server and of wrk, from `/proc/self/stat`.
//!
//! On two shared cores req/s alone does not say where the time goes: every
//! µs wrk spends is a µs the server does not get.

/// CPU time so far of this process (the servers and the stand-ins) and of
/// its waited-for children (the finished wrk runs), in seconds.
#[derive(Clone, Copy)]
pub struct CpuTime {
    server: f64,
    wrk: f64,
}

/// CPU time per request between two readings, in µs.
#[derive(Clone, Copy)]
pub struct CpuPerRequest {
    pub server: f64,
    pub wrk: f64,
}

impl CpuTime {
    /// Reads the clocks; `None` without `/proc`.
    pub fn now() -> Option<CpuTime> {
        let [utime, stime, cutime, cstime] = clocks("self")?;
        Some(CpuTime {
            server: utime + stime,
            wrk: cutime + cstime,
        })
    }

    /// The clocks when the server is the child process `pid`: its own CPU
    /// time, and (as for [`CpuTime::now`]) this process's finished children
    /// for wrk. The server is still running, so it is not among those.
    pub fn with_server(pid: u32) -> Option<CpuTime> {
        let [utime, stime, ..] = clocks(&pid.to_string())?;
        let [_, _, cutime, cstime] = clocks("self")?;
        Some(CpuTime {
            server: utime + stime,
            wrk: cutime + cstime,
        })
    }

    /// What `requests` cost each since `earlier`.
    pub fn per_request_since(self, earlier: CpuTime, requests: u64) -> CpuPerRequest {
        let per_request = |seconds: f64| seconds * 1e6 / requests as f64;
        CpuPerRequest {
            server: per_request(self.server - earlier.server),
            wrk: per_request(self.wrk - earlier.wrk),
        }
    }
}

/// utime, stime, cutime and cstime of `/proc/<process>/stat`, in seconds.
fn clocks(process: &str) -> Option<[f64; 4]> {
    // USER_HZ, the unit of these fields, is 100 on every Linux ABI.
    const TICKS_PER_SECOND: f64 = 100.0;
    let stat = std::fs::read_to_string(format!("/proc/{process}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces; from the
    // last `)` on, the fields start at field 3 (`state`), so utime,
    // stime, cutime and cstime (fields 14 to 17) are the 12th to 15th.
    let fields: Vec<f64> = stat
        .rsplit_once(')')?
        .1
        .split_whitespace()
        .skip(11)
        .take(4)
        .map(|f| f.parse::<f64>().ok().map(|ticks| ticks / TICKS_PER_SECOND))
        .collect::<Option<_>>()?;
    fields.try_into().ok()
}

impl CpuPerRequest {
    /// Server and wrk together.
    pub fn total(self) -> f64 {
        self.server + self.wrk
    }

    /// The mean of two runs of one scenario.
    pub fn mean(self, other: CpuPerRequest) -> CpuPerRequest {
        CpuPerRequest {
            server: (self.server + other.server) / 2.0,
            wrk: (self.wrk + other.wrk) / 2.0,
        }
    }
}
