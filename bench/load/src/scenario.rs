//! The scenarios: what each one sends to which server, the order they run
//! in, and what each one shows in the report.

/// Entries in each server's verdict cache (16 shards of 125, clock eviction).
pub const VERDICT_CACHE: usize = 2_000;
/// Distinct tokens [`Auth::FreshPool`] cycles in order: far more than twice
/// the cache, so a token is always evicted (about 312 others land in its
/// shard, which holds 125) before its turn comes again.
pub const FRESH_POOL: usize = 5_000;

/// One wrk run's target and traffic, under the name the report prints.
pub struct Scenario {
    /// One name per idea, the same in the table, the ratios and the code.
    pub name: &'static str,
    pub server: Server,
    pub path: &'static str,
    pub auth: Auth,
    /// What the requests are, for the report's legend.
    pub sends: &'static str,
    pub role: Role,
}

/// The servers, all `afp-api`'s routes on 127.0.0.1 (see `servers`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Server {
    /// The example validating tokens itself.
    Local,
    /// The example asking the stand-in Texas about every token it has no
    /// verdict for.
    Texas,
    /// The example's `GET /afp` work with no guard and no fairing.
    WithoutLibrary,
}

/// How wrk authenticates its requests.
#[derive(Clone, Copy)]
pub enum Auth {
    None,
    /// The same `Authorization` header on every request.
    ReusedHeader,
    /// The one reused token through the Lua script, so that the client does
    /// the same work as with [`Auth::FreshPool`].
    ReusedViaLua,
    /// The next token of the fresh pool on every request, through the Lua
    /// script: every request misses the verdict cache.
    FreshPool,
}

/// What a scenario is in the report beside its numbers.
#[derive(Clone, Copy)]
pub enum Role {
    /// What every ratio divides by.
    Baseline,
    /// A goal: at least this ratio against the baseline.
    Goal(f64),
    /// Isolates one cost for the CPU breakdown; says which.
    Control(&'static str),
    /// Measured and printed, without a goal.
    Measured,
}

/// The baseline, run first and again last.
pub const UNPROTECTED: Scenario = Scenario {
    name: "unprotected",
    server: Server::Local,
    path: "/isalive",
    auth: Auth::None,
    sends: "GET /isalive, no token",
    role: Role::Baseline,
};

pub const UNPROTECTED_CARRYING_TOKEN: Scenario = Scenario {
    name: "unprotected_carrying_token",
    server: Server::Local,
    path: "/isalive",
    auth: Auth::ReusedHeader,
    sends: "GET /isalive with the reused token's header",
    role: Role::Control("control: bytes on the wire"),
};

pub const HANDLER_WITHOUT_LIBRARY: Scenario = Scenario {
    name: "handler_without_library",
    server: Server::WithoutLibrary,
    path: "/afp",
    auth: Auth::ReusedHeader,
    sends: "GET /afp's work on a server without the library",
    role: Role::Control("control: the handler"),
};

pub const REUSED_TOKEN: Scenario = Scenario {
    name: "reused_token",
    server: Server::Local,
    path: "/afp",
    auth: Auth::ReusedHeader,
    sends: "GET /afp, the same token on every request",
    role: Role::Goal(0.90),
};

pub const REUSED_TOKEN_VIA_LUA: Scenario = Scenario {
    name: "reused_token_via_lua",
    server: Server::Local,
    path: "/afp",
    auth: Auth::ReusedViaLua,
    sends: "as reused_token, sent by the Lua script as fresh_token's are",
    role: Role::Control("control: the Lua script"),
};

pub const FRESH_TOKEN: Scenario = Scenario {
    name: "fresh_token",
    server: Server::Local,
    path: "/afp",
    auth: Auth::FreshPool,
    sends: "GET /afp, every request with a token the verdict cache lacks",
    // An RSA-2048 verification costs about half an unprotected request's
    // CPU on two shared cores, which bounds this near 0.5x.
    role: Role::Goal(0.45),
};

pub const TEXAS_REUSED_TOKEN: Scenario = Scenario {
    name: "texas_reused_token",
    server: Server::Texas,
    path: "/afp",
    auth: Auth::ReusedHeader,
    sends: "as reused_token, validated through Texas",
    role: Role::Measured,
};

pub const TEXAS_FRESH_TOKEN: Scenario = Scenario {
    name: "texas_fresh_token",
    server: Server::Texas,
    path: "/afp",
    auth: Auth::FreshPool,
    sends: "as fresh_token, validated through Texas",
    role: Role::Measured,
};

/// The scenarios run between the baseline's two runs, in this order.
pub const BETWEEN_BASELINES: [&Scenario; 7] = [
    &UNPROTECTED_CARRYING_TOKEN,
    &HANDLER_WITHOUT_LIBRARY,
    &REUSED_TOKEN,
    &REUSED_TOKEN_VIA_LUA,
    &FRESH_TOKEN,
    &TEXAS_REUSED_TOKEN,
    &TEXAS_FRESH_TOKEN,
];
