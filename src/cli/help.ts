/** What `carechain COMMAND --help` prints, one text per command. */
export const COMMAND_HELP: Record<string, string> = {
  hash: `usage: carechain hash HEX

SHA-256d of the bytes given as hex, printed in display (byte-reversed) order, as block explorers show
block hashes. Example: the 80-byte Bitcoin genesis header gives 000000000019d6…8ce26f.
`,
  scan: `usage: carechain scan --header HEX --count N (--bits HEX | --target HEX) [--start N] [--json]

Hash nonces start .. start+count-1 of an 80-byte header (Bitcoin layout, nonce = its last 4 bytes,
little-endian) with the WebAssembly kernel and report the first whose SHA-256d, read as a 256-bit
little-endian number, is at most the target. A range may not pass nonce 4294967295.

options:
  --header HEX    the 80-byte header, 160 hex digits
  --start N       first nonce (default 0)
  --count N       how many nonces to hash
  --bits HEX      the target in compact form, e.g. 1d00ffff
  --target HEX    the target as a 256-bit big-endian number, 64 hex digits
  --json          one JSON object: {"found","nonce","hash","hashed"}
`,
  puzzle: `usage: carechain puzzle [--prefix TEXT] [--zeros N] [-t N] [--json]

The seed's proof-of-work example on every core: the lowest nonce n whose SHA-256(prefix + decimal n)
starts with N zero hex digits, its hash, and the time taken.

options:
  --prefix TEXT     the text before the nonce (default blockchain)
  --zeros N         leading zero hex digits, 1 to 64 (default 6)
  -t, --threads N   worker threads (default: every core)
  --json            one JSON object
`,
  keygen: `usage: carechain keygen [--out FILE] [--force] [--json]

Make an Ed25519 key pair (an account) and write it to FILE with mode 0600; print the public key,
which is the account's address.

options:
  -o, --out FILE   where to write the key pair (default ./carechain-key.json)
  --force          replace an existing file (otherwise refused)
  --json           one JSON object
`,
  send: `usage: carechain send --to KEY --amount N [--fee N] [--key FILE] [--node URL] [--json]

Send a signed transfer of N base units (1 coin = 10^8) from the key in FILE to the public key KEY;
prints the txid once the node has accepted it.

options:
  --to KEY          recipient public key, 64 hex digits
  --amount N        base units to send
  --fee N           fee in base units (default 1000)
  -k, --key FILE    the sender's key file (default ./carechain-key.json)
  --node URL        the node (default http://127.0.0.1:8080)
  --json            one JSON object
`,
  record: `usage: carechain record FILE (--subject PSEUDONYM | --patient ID --pseudonym-key FILE) --type RESOURCE [options]

Anchor a document: hash it here with a fresh random salt, keep the salt and the document's path in the
local salt file, and send the node only the commitment SHA-256(salt + document). The subject is a
pseudonym (64 hex digits), never a patient identifier: given, or computed here from --patient.

options:
  --subject PSEUDONYM     the subject's pseudonym, 64 hex digits
  --patient ID            a patient identifier, turned into HMAC-SHA256(secret, ID) here; it goes nowhere
  --pseudonym-key FILE    the file holding that HMAC secret
  --type RESOURCE         a FHIR resource name, e.g. DocumentReference or Observation
  --locator TEXT          where the document lives, e.g. ehr://clinic/doc/17 (default none)
  --amends TXID           the record this one amends
  --relation R            replaces (default) or appends, with --amends
  --salts FILE            the salt file (default ./carechain-salts.json)
  -k, --key FILE          the owner's key file (default ./carechain-key.json)
  --fee N                 fee in base units (default 1000)
  --node URL              the node (default http://127.0.0.1:8080)
  --json                  one JSON object
`,
  receipt: `usage: carechain receipt TXID [--out FILE] [--wait SECONDS] [--node URL] [--json]

Fetch the proof that a transaction is in a block (the transaction, its Merkle path, the block header)
and save it as JSON for carechain verify to check offline.

options:
  -o, --out FILE     where to save it (default ./receipt-TXID.json)
  --wait SECONDS     wait this long for a transaction still in the mempool (default 0)
  --node URL         the node (default http://127.0.0.1:8080)
  --json             one JSON object
`,
  verify: `usage: carechain verify RECEIPT.json [--document FILE --salt HEX] [--json]

Check a receipt offline: the signature, the Merkle path and the block header's proof of work; with the
document and its salt, the commitment too. Exits 0 when valid, 1 when not.

options:
  --document FILE   the document the record anchors
  --salt HEX        its salt, from the salt file
  --json            one JSON object
`,
  start: `usage: carechain start [options]

Run a node: open the chain in the data directory, mine on every core, serve the HTTP API and /metrics.
SIGINT or SIGTERM stops it cleanly. Flags win over the config file, the file over the defaults.

options:
  --data DIR           block log, mempool journal, node key (default ./data)
  --host H             address to listen on (default 127.0.0.1; elsewhere the control routes need --token)
  -p, --port P         port (default 8080; 0 picks a free one)
  -t, --threads N      miner worker threads (default: every core)
  --network NAME       dev (blocks every ~15 s, default) or test (the easiest target)
  --no-mine            serve the chain and API without mining
  --coinbase KEY       public key paid by mined blocks (default: the node's own key)
  --token T            bearer token for the mining control routes
  --rate-limit N       requests per second per client address (default 50; 0 turns it off)
  -c, --config FILE    a JSON file with the same settings in camelCase

peers (the network listens on --host too: loopback unless told otherwise):
  --p2p-port P         TCP port for peers (default 9333; 0 picks a free one)
  --peer MULTIADDR     a peer to connect to and keep connected, e.g.
                       /ip4/127.0.0.1/tcp/9333/p2p/12D3KooW...; repeatable
  --no-p2p             no peer-to-peer network: a node on its own
  --max-peers N        connected peers at most, inbound and outbound (default 24)
  --mdns               find peers of the same network on the local network (mDNS)
`,
  bench: `usage: carechain bench (kernels | threads | chain | http | sync | propagation | all) [options]

Benchmarks; run one at a time on a quiet machine. all runs kernels, threads, chain, sync and
propagation in turn.

kernels   SHA-256d hash rate on one thread: our kernels against node:crypto, hash-wasm and pure JS
  --seconds S      length of a window (default 1)
  --windows N      windows per contender (default 5)
  --only A,B       only these contenders
  --json           one JSON object
threads   the miner pool on 1..N threads, and job-switch latency
  -t, --threads N  most threads (default: every core)
  --seconds S      per thread count (default 5)
  --switches N     job switches timed (default 200)
  --json           one JSON object
chain     replay of a block log of signed transfers, and mempool admission
  --blocks N       blocks in the log (default 10000)
  --txs N          transfers per block (default 100)
  --admit N        transfers admitted (default 20000)
  --json           one JSON object
http      requests against a node and the hash rate it loses meanwhile (its own node without --url)
  --url URL        a running node
  --duration S     seconds per scenario (default 10)
  --connections N  concurrent connections (default 10)
  --rate R         requests per second (default: as fast as it answers)
  --txs FILE       raw transactions to post, one hex per line
  --sample S       hash-rate sampling period (default 5)
  --json           one JSON object
sync      a fresh node syncing a log from one peer (two processes, TCP) against the local replay of it
  --blocks N       blocks in the log (default 10000)
  --txs N          signed transfers per block (default 100)
  --json           one JSON object
propagation  block propagation over a 3-node line, every node mining, and what relaying costs a miner
  --samples N      blocks timed end to end (default 100)
  --relay-rate R   transfers per second sent to the miner's peer (default 200)
  --relay-window S seconds per window, with and without the load (default 5)
  --relay-pairs N  pairs of windows (default 3)
  -t, --threads N  the relay miner's threads (default: every core)
  --json           one JSON object
`,
};
