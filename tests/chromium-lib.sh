# chromium-lib.sh: headless Chromium for the tests and benchmarks that open
# tcpdissect's HTML report (tests/report-browser.sh,
# tests/bench/report-open.sh).  Source it with $tmp set to a scratch
# directory; it defines
#   chrome           the browser's path, empty when none is installed
#   chrome_run ARGS  run it headless, offline, at most 60 s; stderr to
#                    $tmp/chrome.err
# Offline: a network namespace of its own where unshare can make one, and
# in any case a proxy and a resolver that lead nowhere.

chrome=${CHROMIUM:-}
for c in chromium chromium-browser google-chrome; do
	[ -n "$chrome" ] && break
	chrome=$(command -v "$c" || true)
done

chrome_netns=()
if unshare -n true 2> /dev/null; then
	chrome_netns=(unshare -n)
elif unshare -rn true 2> /dev/null; then
	chrome_netns=(unshare -rn)
fi
chrome_flags=(--headless --disable-gpu --no-first-run --no-default-browser-check
	--disable-extensions --disable-background-networking --disable-sync
	--proxy-server=127.0.0.1:9 --host-resolver-rules="MAP * ~NOTFOUND"
	--user-data-dir="$tmp/profile")
[ "$(id -u)" = 0 ] && chrome_flags+=(--no-sandbox)	# Chromium's sandbox refuses root

chrome_run() {
	timeout 60 "${chrome_netns[@]}" "$chrome" "${chrome_flags[@]}" "$@" 2> "$tmp/chrome.err"
}
