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
  enrol: `usage: carechain enrol (--subject PSEUDONYM | --patient ID --pseudonym-key FILE) PATIENT [options]
       carechain enrol countersign (--subject PSEUDONYM | ...) --provider KEY [--key FILE] [--network NAME]

Link a subject pseudonym to a patient key, once: from then on that key alone grants and revokes
consents for the subject. The provider (--key) signs; it must own one of the subject's records, or the
subject has none yet. The patient countersigns, so nobody is enrolled by surprise: PATIENT is
--patient-key FILE (both keys here), or --patient-pubkey KEY --countersignature HEX, made by the patient
with enrol countersign, which prints it. A patient may use a separate key per provider, so its
pseudonyms stay unlinkable across providers.

options:
  --subject PSEUDONYM     the subject's pseudonym, 64 hex digits
  --patient ID            a patient identifier, turned into HMAC-SHA256(secret, ID) here; it goes nowhere
  --pseudonym-key FILE    the file holding that HMAC secret
  --patient-key FILE      the patient's key file: countersign here
  --patient-pubkey KEY    the patient's public key, with --countersignature
  --countersignature HEX  the patient's countersignature (from enrol countersign)
  --provider KEY          countersign: the provider's public key
  --network NAME          countersign: the network (default: ask --node)
  -k, --key FILE          the provider's key file; for countersign, the patient's (default ./carechain-key.json)
  --fee N                 fee in base units (default 1000)
  --node URL              the node (default http://127.0.0.1:8080)
  --json                  one JSON object
`,
  consent: `usage: carechain consent grant --subject PSEUDONYM --to KEY --actions A,... [options]
       carechain consent revoke TXID [--key FILE] [--fee N] [--node URL] [--json]
       carechain consent list --subject PSEUDONYM [--at WHEN] [--height N] [--node URL] [--json]

grant and revoke are signed by the patient key enrolled for the subject (--key). A consent lets one
provider read, append to (add a record linked to one of the subject's) or amend (replace) the
subject's records of the listed resource types, for the listed purposes, until it expires or is
revoked. It is active while the block's time (or height) is below the expiry: at exactly the expiry
it is over. list shows each consent's status at the next block, or at --at / --height.

options:
  --subject PSEUDONYM     the subject's pseudonym, 64 hex digits
  --to KEY                grant: the provider's public key
  --actions A,...         grant: read, append, amend
  --types T,...           grant: FHIR resource names, e.g. Observation,DocumentReference (default: all)
  --purposes P,...        grant: v3 ActReason codes, e.g. TREAT,ETREAT,HRESCH (default: any)
  --expires WHEN          grant: unix seconds or ISO 8601 (2026-12-31T00:00:00Z); default: until revoked
  --expires-height N      grant: expire at this block height instead
  --at WHEN               list: judge expiry at this time (unix seconds or ISO 8601)
  --height N              list: count grants and revocations up to this height
  -k, --key FILE          the patient's key file (default ./carechain-key.json)
  --fee N                 fee in base units (default 1000)
  --node URL              the node (default http://127.0.0.1:8080)
  --json                  one JSON object
`,
  access: `usage: carechain access RECORD_TXID --purpose CODE [--key FILE] [--fee N] [--node URL] [--json]

Read a record as a provider's document service does: look it up, check on chain that this provider
(--key) may read it for this purpose (GET /consents/check), log the read on chain, and print the
record's locator. Without a covering consent the read is refused, except with --purpose ETREAT
(emergency treatment): a break-glass read, logged and flagged for the patient to see.

options:
  --purpose CODE    why: a v3 ActReason code, e.g. TREAT, ETREAT, HRESCH, HPAYMT
  -k, --key FILE    the provider's key file (default ./carechain-key.json)
  --fee N           fee in base units (default 1000)
  --node URL        the node (default http://127.0.0.1:8080)
  --json            one JSON object
`,
  receipt: `usage: carechain receipt TXID [--out FILE] [--wait SECONDS] [--node URL] [--json]

Fetch the proof that a transaction is in a block and save it as JSON for carechain verify: the
transaction and its Merkle path, the coinbase (which names the height) and the last transaction's path
(which proves the count), the block header and the headers on top of it up to the tip (at most 2000).

options:
  -o, --out FILE     where to save it (default ./receipt-TXID.json)
  --wait SECONDS     wait this long for a transaction still in the mempool (default 0)
  --node URL         the node (default http://127.0.0.1:8080)
  --json             one JSON object
`,
  verify: `usage: carechain verify RECEIPT.json [--node URL] [--checkpoint HEIGHT:HASH]... [--headers FILE]
                        [--document FILE --salt HEX] [--json]

Check a receipt: the signature, the Merkle paths (index and transaction count), the height the coinbase
names, the block's proof of work, and the headers on top (links, proof of work, retarget rule); print the
work on top and what forging the receipt would cost. Headers prove work, not which chain they are on: an
anchor ties the block to the real chain. Every field is printed as proven or UNPROVEN.

options:
  --node URL               the block must be on this node's best chain, at the receipt's height
  --checkpoint HEIGHT:HASH the receipt's chain must pass through this block (a height from the
                           block's to its last carried header); may be given more than once
  --headers FILE           the block must be in this headers file (carechain headers export),
                           itself checked from genesis
  --document FILE          the document the record anchors
  --salt HEX               its salt, from the salt file
  --json                   one JSON object: every check, every field proven or not, the work

exit status: 0 valid and anchored (buried in the chain), 1 invalid, 3 valid but unanchored (no anchor
given, or a version 1 receipt, whose burial cannot be proven).
`,
  headers: `usage: carechain headers export [--node URL] [--out FILE] [--format binary|hex] [--json]

Save the node's best-chain headers from genesis to a file, tagged with the format and the network, for
carechain verify --headers to check receipts offline. The chain is checked from genesis (links, proof of
work, retarget rule) before the file is written.

options:
  --node URL        the node (default http://127.0.0.1:8080)
  -o, --out FILE    where to save it (default ./headers-NETWORK.bin, or .txt with --format hex)
  --format F        binary (default) or hex: a tagged first line, then one header a line
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
  --token T            bearer token for the mining control routes (printable ASCII, not empty)
  --rate-limit N       requests per second per client address (default 50; 0 turns it off)
  --max-connections N  open HTTP connections in all (default 1024; kept 128 under the open-file limit)
  --max-connections-per-client N
                       open HTTP connections per client address (default 64; 0: no per-client cap)
  --headers-timeout S  seconds a client has to send a request's headers (default 10)
  --request-timeout S  seconds a client has to send a whole request, body included (default 30)
  --stratum-port P     Stratum v1 server for other machines' miners, on --host (default 3333; 0 picks a free one)
  --no-stratum         no Stratum server
  --stratum-max-sessions N      Stratum connections at once (default 1024)
  --stratum-max-per-address N   Stratum connections at once from one address (default 64)
  --stratum-min-difficulty D    lowest share difficulty (default 0.0001; never above the network's)
  -c, --config FILE    a JSON file with the same settings in camelCase

peers (the network listens on --host too: loopback unless told otherwise):
  --p2p-port P         TCP port for peers (default 9333; 0 picks a free one)
  --peer MULTIADDR     a peer to connect to and keep connected, e.g.
                       /ip4/127.0.0.1/tcp/9333/p2p/12D3KooW...; repeatable
  --no-p2p             no peer-to-peer network: a node on its own
  --max-peers N        connected peers at most, inbound and outbound (default 24)
  --mdns               find peers of the same network on the local network (mDNS)
`,
  mine: `usage: carechain mine -o stratum+tcp://HOST:PORT [-o …] -u USER [-p PASS] [-t N] [--json] [--http-port P]

Mine through a Stratum v1 pool with the node's kernel on every core: a carechain node's Stratum
server (the username is your payout key) or any sha256d pool. With several -o, the first is the pool
and the others fail-overs, tried in order whenever the connection drops; when none answers the miner
retries with backoff. A live status line on a terminal; SIGINT or SIGTERM stops it cleanly.

options:
  -o, --url URL      a pool as stratum+tcp://HOST:PORT; repeat for fail-over, in order
  -u, --user USER    the username; on a carechain node, a payout public key (64 hex digits), optionally .worker
  -p, --pass PASS    the password (default x; d=DIFF asks the node's server for a fixed share difficulty)
  -t, --threads N    worker threads (default: every core)
  --json             one JSON object per line (connections, jobs, shares, a status every 10 s)
  --http-port P      serve /status, /mining and /metrics on this port (0 picks a free one)
  --http-host H      address for --http-port (default 127.0.0.1)
`,
  bench: `usage: carechain bench (kernels | threads | chain | http | stratum | consent | sync | propagation | all) [options]

Benchmarks; run one at a time on a quiet machine. all runs kernels, threads, chain, stratum, sync and
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
  --pool N         then a full mempool of N (default 10000; 0 skips it) …
  --flood N        … and N better payers admitted into it, in memory and through the journal (default 10000)
  --json           one JSON object
consent   replay of a log of enrolments, consents and reads against a transfer-only log; the check's latency
  --consents N     consents on chain (default 100000)
  --accesses N     logged reads on chain (default 1000000)
  --block-txs N    transactions per block (default 1000)
  --checks N       checks timed (default 10000)
  --json           one JSON object
http      requests against a node and the hash rate it loses meanwhile (its own node without --url)
  --url URL        a running node
  --duration S     seconds per scenario (default 10)
  --connections N  concurrent connections (default 10)
  --rate R         requests per second (default: as fast as it answers)
  --txs FILE       raw transactions to post, one hex per line
  --sample S       hash-rate sampling period (default 5)
  --hostile N      instead: hold N hostile sockets open (idle, half-sent headers, slow bodies)
                   and time GET /health and /metrics meanwhile; needs ulimit -n above N + 256
  --requests N     with --hostile: timed requests per route (default 200)
  --flood N        instead: on a node of its own with a full 10,000-entry mempool, post N better payers
                   as fast as it answers, and time GET /status meanwhile
  --json           one JSON object
stratum   share validation with many Stratum sessions and the node miner's loss; carechain mine against bench threads
  --sessions N     Stratum sessions submitting (default 1000)
  --rate R         shares a second in all (default 10000; 0: as fast as the node answers)
  --window N       with --rate 0, submits in flight per session (default 4)
  --seconds S      per measurement (default 10)
  -t, --threads N  the node miner's threads, and carechain mine's (default: every core)
  --only WHICH     validation or mine
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
  --relay-peer P   who feeds the miner: gossip (a light peer in the bench, the miner on every core),
                   node (a full node taking the transfers over POST /txs), or both (default)
  -t, --threads N  the relay miner's threads (default: every core it runs on)
  --no-pin         with a node feeding, leave every process on every core (default: with taskset, the
                   relay miner on all cores but the last, the peer and the load on the last)
  --json           one JSON object
`,
};
