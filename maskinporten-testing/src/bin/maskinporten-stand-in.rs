//! `maskinporten-stand-in`: a stand-in Maskinporten on 127.0.0.1 for
//! running an API locally. Prints the NAIS variables as `export` lines, how
//! to get a token from its token endpoint, then one token per `--scope`,
//! and serves until stopped.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use maskinporten_testing::{Clients, DEFAULT_CONSUMER, SigningKey, StandIn, StandInBuilder};

const USAGE: &str = r#"usage: maskinporten-stand-in [--port PORT] [--scope SCOPE]... [--consumer ORGNO]
                             [--supplier ORGNO] [--lifetime DURATION]
                             [--key-file PATH] [--clients PATH]

Runs a stand-in Maskinporten on 127.0.0.1. Prints the NAIS variables that
point an API at it as `export` lines, then one token per --scope on a line
of its own, and serves its metadata, keys and token endpoint until stopped
(Ctrl-C). Start your API in a shell with those variables set and call it
with a printed token, or get one from the token endpoint as a client does.

  --port PORT          port on 127.0.0.1 (default: any free port)
  --scope SCOPE        mint a token with this scope; repeat for more tokens
  --consumer ORGNO     the tokens' consumer organisation number (default: 123456789)
  --supplier ORGNO     a supplier organisation number, as in delegated access
  --lifetime DURATION  how long the tokens are valid: seconds, or a number with
                       s, m or h (default: 8h)
  --key-file PATH      keep the signing key in this file (PKCS#8 PEM): made when
                       missing, reused when present, so tokens outlive a restart
  --clients PATH       a client registry (TOML): only these clients get tokens
  -h, --help           print this help

Token endpoint, POST http://127.0.0.1:PORT/token (form-encoded):
  Maskinporten's JWT grant, signed with the client's own key (RS256/384/512,
  `kid` or `x5c` header; `aud` the issuer; `iss` the client id; `scope`;
  optional `resource`, `consumer_org`, `authorization_details`):
    curl -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer \
         -d assertion="$GRANT" http://127.0.0.1:PORT/token
  Swagger UI's client_credentials (the stand-in only; any secret unless the
  registry sets one):
    curl -u my-client:secret -d grant_type=client_credentials \
         -d scope=nav:helse/sykepenger/afp.read http://127.0.0.1:PORT/token
  Without --clients any client gets tokens (consumer: --consumer) and a
  grant's signature is taken on trust. The registry file has one table per
  client:
    [[client]]
    client_id = "afp-client"              # the grant's iss
    orgno = "987654321"                   # the tokens' consumer
    scopes = ["nav:helse/sykepenger/afp.read"]
    public_key = """-----BEGIN PUBLIC KEY-----..."""  # or certificate = """..."""
    # optional: kid = "...", secret = "...", system_id = "..."
"#;

/// Exit status for a command line that cannot be run: 2, as POSIX
/// utilities such as `grep` and `ls` use for usage errors.
const BAD_USAGE: u8 = 2;

/// What the command line asks for.
enum Command {
    Help,
    Run(Box<(StandInBuilder, Summary, Files)>),
}

/// The files the command line names, read before the stand-in starts.
#[derive(Default)]
struct Files {
    key: Option<PathBuf>,
    clients: Option<PathBuf>,
}

/// What the program tells the user on stderr about the tokens.
struct Summary {
    consumer: String,
    supplier: Option<String>,
    lifetime: String,
}

fn main() -> ExitCode {
    let command = match parse(std::env::args().skip(1)) {
        Ok(command) => command,
        Err(problem) => {
            eprintln!("maskinporten-stand-in: {problem}\n\n{USAGE}");
            return ExitCode::from(BAD_USAGE);
        }
    };
    let (mut builder, summary, files) = match command {
        Command::Help => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Command::Run(run) => *run,
    };
    if let Some(path) = &files.key {
        match SigningKey::load_or_create(path, "key-1") {
            Ok(key) => builder = builder.signing_key(key),
            Err(e) => {
                eprintln!("maskinporten-stand-in: --key-file: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if let Some(path) = &files.clients {
        match Clients::load(path) {
            Ok(clients) => builder = builder.clients(clients),
            Err(e) => {
                eprintln!("maskinporten-stand-in: --clients: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("maskinporten-stand-in: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(builder, summary))
}

async fn run(builder: StandInBuilder, summary: Summary) -> ExitCode {
    let stand_in = match builder.start().await {
        Ok(stand_in) => stand_in,
        Err(e) => {
            eprintln!("maskinporten-stand-in: cannot listen on 127.0.0.1: {e}");
            return ExitCode::FAILURE;
        }
    };
    if print(&stand_in, &summary).is_err() {
        // Nobody reads what we print (the pipe closed): serving keys for
        // tokens nobody has would only hold the port.
        return ExitCode::FAILURE;
    }
    eprintln!(
        "maskinporten-stand-in: serving {} until stopped (Ctrl-C)",
        stand_in.issuer().issuer()
    );
    std::future::pending::<ExitCode>().await
}

/// The exports, how to ask the token endpoint (as shell comments), then
/// each token under a comment naming it.
fn print(stand_in: &StandIn, summary: &Summary) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(stand_in.exports().as_bytes())?;
    let endpoint = stand_in.issuer().token_endpoint();
    let scope = stand_in
        .tokens()
        .first()
        .map_or("nav:helse/sykepenger/afp.read", |(scope, _)| scope.as_str());
    writeln!(
        out,
        "# Token endpoint: {endpoint}\n\
         # A JWT grant signed with your client's key (aud {issuer}):\n\
         #   curl -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer -d assertion=\"$GRANT\" {endpoint}\n\
         # Swagger UI's flow, client id and secret:\n\
         #   curl -u my-client:secret -d grant_type=client_credentials -d scope={scope} {endpoint}",
        issuer = stand_in.issuer().issuer(),
    )?;
    for (scope, token) in stand_in.tokens() {
        let supplier = summary
            .supplier
            .as_deref()
            .map(|orgno| format!(", supplier {orgno}"))
            .unwrap_or_default();
        writeln!(
            out,
            "# {scope} (consumer {}{supplier}, valid {})\n{token}",
            summary.consumer, summary.lifetime
        )?;
    }
    // Whoever reads a pipe gets every line now, not at exit.
    out.flush()
}

fn parse(args: impl Iterator<Item = String>) -> Result<Command, String> {
    let mut builder = StandIn::builder();
    let mut summary = Summary {
        consumer: DEFAULT_CONSUMER.to_owned(),
        supplier: None,
        lifetime: "8h".to_owned(),
    };
    let mut files = Files::default();
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(Command::Help);
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        if !matches!(
            flag.as_str(),
            "--port"
                | "--scope"
                | "--consumer"
                | "--supplier"
                | "--lifetime"
                | "--key-file"
                | "--clients"
        ) {
            return Err(format!("unknown argument `{arg}`"));
        }
        let value = match inline {
            Some(value) => value,
            None => args
                .next()
                .ok_or_else(|| format!("`{flag}` needs a value"))?,
        };
        builder = match flag.as_str() {
            "--port" => builder.port(
                value
                    .parse()
                    .map_err(|_| format!("--port: `{value}` is not a port number (0-65535)"))?,
            ),
            "--scope" => {
                maskinporten_scope::Parts::parse(&value)
                    .map_err(|e| format!("--scope: `{value}`: {e}"))?;
                builder.scope(&value)
            }
            "--consumer" => {
                orgno(&value, "--consumer")?;
                summary.consumer = value.clone();
                builder.consumer(&value)
            }
            "--key-file" | "--clients" if value.is_empty() => {
                return Err(format!("`{flag}` needs a path"));
            }
            "--key-file" => {
                files.key = Some(PathBuf::from(value));
                builder
            }
            "--clients" => {
                files.clients = Some(PathBuf::from(value));
                builder
            }
            "--supplier" => {
                orgno(&value, "--supplier")?;
                summary.supplier = Some(value.clone());
                builder.supplier(&value)
            }
            _ => {
                let lifetime = lifetime(&value)?;
                summary.lifetime = value;
                builder.lifetime(lifetime)
            }
        };
    }
    Ok(Command::Run(Box::new((builder, summary, files))))
}

/// A Norwegian organisation number: nine digits.
fn orgno(value: &str, flag: &str) -> Result<(), String> {
    if value.len() == 9 && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!(
            "{flag}: `{value}` is not an organisation number (nine digits)"
        ))
    }
}

/// `90`, `90s`, `15m` or `8h`; at least one second.
fn lifetime(value: &str) -> Result<Duration, String> {
    let (number, unit) = match value.char_indices().last() {
        Some((at, 's')) => (&value[..at], 1),
        Some((at, 'm')) => (&value[..at], 60),
        Some((at, 'h')) => (&value[..at], 3600),
        _ => (value, 1),
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .filter(|&seconds| seconds > 0)
        .map(Duration::from_secs)
        .ok_or_else(|| {
            format!("--lifetime: `{value}` is not a duration (like 3600, 90s, 15m or 8h)")
        })
}
