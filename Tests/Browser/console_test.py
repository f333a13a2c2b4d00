#!/usr/bin/env python3
"""The web console of `banyan serve` driven in headless Chromium (Playwright).

Starts the built `banyan` on temporary stores, drives the page and checks the
effects with `banyan get` and `git log`: browsing, values, editing, history
and diffs, live updates from CLI writes, merge preview and merge, token login,
read-only refusal, bad keys and stale If-Match. Writes screenshots of the main
views to --screenshots. Exits 1 on the first failed check, naming it.

Run through scripts/console-test.sh, which installs Playwright into .build.
"""
import argparse, os, re, shutil, subprocess, sys, tempfile, time
from playwright.sync_api import sync_playwright, expect

ap = argparse.ArgumentParser()
ap.add_argument("--banyan", default=".build/debug/banyan")
ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
ap.add_argument("--screenshots", default="docs/console")
args = ap.parse_args()
banyan = os.path.abspath(args.banyan)
shots = os.path.abspath(args.screenshots)
os.makedirs(shots, exist_ok=True)
expect.set_options(timeout=10_000)


def run(*argv, store, check=True, stdin=None):
    result = subprocess.run([banyan, *argv, "-C", store], capture_output=True, input=stdin, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"banyan {' '.join(argv)} failed: {result.stderr.decode()}")
    return result.stdout.decode()


def git(store, *argv):
    return subprocess.run(["git", f"--git-dir={store}", *argv], capture_output=True, text=True, check=True).stdout


def make_store(root, name):
    store = os.path.join(root, name)
    subprocess.run([banyan, "init", store], capture_output=True, check=True)
    run("set", ".gitattributes", "*.json merge=json\n", "-m", "JSON values merge by field", store=store)
    run("set", "notes/today", "buy milk\ncall Ada\n", "-m", "first note", store=store)
    run("set", "config/app.json", '{"theme":"light","retries":3,"features":["sync"]}', "-m", "app settings", store=store)
    run("set", "blobs/logo.bin", store=store, stdin=bytes(range(256)) * 2)
    run("branch", "create", "dev", store=store)
    run("set", "config/app.json", '{"theme":"dark","retries":3,"features":["sync"]}', "-b", "dev", "-m", "dark theme", store=store)
    run("set", "notes/ideas", "a web console\n", "-b", "dev", "-m", "ideas", store=store)
    run("set", "config/app.json", '{"theme":"light","retries":5,"features":["sync"]}', "-m", "more retries", store=store)
    return store


class Server:
    """`banyan serve` on a free port; stopped with SIGTERM."""

    def __init__(self, store, *flags):
        self.log = open(os.path.join(os.path.dirname(store), f"serve-{os.path.basename(store)}.log"), "w+")
        # Another working directory than the checkout: the console's files must be found beside the executable.
        self.process = subprocess.Popen([banyan, "serve", "--port", "0", "-C", store, *flags], stderr=self.log, cwd="/")
        deadline = time.time() + 30
        while time.time() < deadline:
            self.log.seek(0)
            found = re.search(r"http://[0-9.]+:\d+/", self.log.read())
            if found:
                self.url = found.group(0)
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.log.seek(0)
        raise AssertionError(f"banyan serve did not start: {self.log.read()}")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=15)


passed = []

# Every visible text node's contrast against the first opaque background behind it (WCAG 2 relative
# luminance): at least 4.5:1, or 3:1 for large text; disabled controls are exempt, as in WCAG.
CONTRAST = """() => {
  const parse = (text) => { const p = text.match(/[\\d.]+/g).map(Number); return { rgb: p.slice(0, 3), alpha: p.length > 3 ? p[3] : 1 }; };
  const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const color = parse(getComputedStyle(e).backgroundColor);
      if (color.alpha > 0.5) return color.rgb;
    }
    return [255, 255, 255];
  };
  const low = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!node.textContent.trim() || !element.checkVisibility() || element.closest("[disabled]")) continue;
    const style = getComputedStyle(element);
    const [a, b] = [luminance(parse(style.color).rgb), luminance(background(element))].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    if (ratio < (size >= 24 || (bold && size >= 18.66) ? 3 : 4.5)) {
      low.push(`${element.tagName.toLowerCase()} "${node.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}:1`);
    }
  }
  return low;
}"""


def check(name):
    """Marks a test step: prints it when its body passes."""
    def wrap(body):
        started = time.time()
        body()
        passed.append(name)
        print(f"ok - {name} ({time.time() - started:.1f}s)", flush=True)
    return wrap


def main():
    root = tempfile.mkdtemp(prefix="banyan-console-")
    servers = []
    try:
        store = make_store(root, "store")
        server = Server(store)
        servers.append(server)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
            suite(browser, server, store, root, servers)
            browser.close()
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(root, ignore_errors=True)
    print(f"console-test: {len(passed)} checks passed; screenshots in {os.path.relpath(shots)}")


def new_page(browser, width=1100, height=760):
    page = browser.new_page(viewport={"width": width, "height": height})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    return page


def suite(browser, server, store, root, servers):
    page = new_page(browser)
    main = page.locator("main")

    @check("the page loads without a token and lists the keys of the default branch")
    def _():
        started = time.time()
        page.goto(server.url)
        expect(page.get_by_role("heading", level=1)).to_have_text("Keys of main")
        shown = time.time() - started
        expect(page.locator("#live")).to_have_text("live: main")
        expect(main.get_by_role("link", name="notes/")).to_be_visible()
        page.screenshot(path=f"{shots}/tree.png")
        files = page.evaluate("""() => performance.getEntriesByType('resource').filter(e => e.name.includes('/console/'))
            .map(e => e.encodedBodySize)""")
        print(f"  first view shown {shown * 1000:.0f} ms after navigation; {len(files)} console files, "
              f"{sum(files) / 1024:.1f} KiB uncompressed", flush=True)

    @check("browse the tree with the keyboard and open a text value")
    def _():
        link = main.get_by_role("link", name="notes/")
        link.focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Keys under notes")
        main.get_by_role("link", name="today").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Key notes/today")
        expect(main.locator("pre.value")).to_have_text("buy milk\ncall Ada\n")

    @check("a JSON value is pretty-printed, a binary one shows size and hex")
    def _():
        page.goto(server.url + "#/key/main/config/app.json")
        expect(main.locator("pre.value")).to_contain_text('"retries": 5,')
        expect(main.locator("[data-kind]")).to_contain_text("JSON")
        page.screenshot(path=f"{shots}/value.png")
        main.get_by_role("button", name="Edit").click()
        main.get_by_role("textbox", name="Value").fill('{"theme": ')
        expect(main.get_by_text("no longer a JSON object or array")).to_be_visible()
        main.get_by_role("button", name="Cancel").click()
        main.get_by_role("button", name="Text").click()
        expect(main.locator("pre.value")).to_have_text('{"theme":"light","retries":5,"features":["sync"]}')
        page.goto(server.url + "#/key/main/blobs/logo.bin")
        expect(main.locator("[data-kind]")).to_have_text("binary, 512 bytes")
        expect(main.locator("pre.value")).to_contain_text("00000000  00 01 02 03")

    @check("edit and save a value: banyan get and git log see the commit")
    def _():
        page.goto(server.url + "#/key/main/notes/today")
        main.get_by_role("button", name="Edit").click()
        main.get_by_role("textbox", name="Value").fill("buy milk\ncall Grace\nwrite docs\n")
        main.get_by_label("Commit message").fill("Edit the note in the browser")
        page.screenshot(path=f"{shots}/edit.png")
        main.get_by_role("button", name="Save").click()
        expect(page.locator("#notice")).to_contain_text("Saved notes/today as commit")
        expect(main.locator("pre.value")).to_have_text("buy milk\ncall Grace\nwrite docs\n")
        assert run("get", "notes/today", store=store) == "buy milk\ncall Grace\nwrite docs\n", "banyan get does not see the edit"
        assert git(store, "log", "-1", "--format=%s", "main").strip() == "Edit the note in the browser", "git log does not show the edit"
        git(store, "fsck", "--strict")

    @check("history of a key and the side-by-side diff of a commit")
    def _():
        main.get_by_role("link", name="History of this key").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("History of notes/today")
        expect(main.locator("ol.log li")).to_have_count(2)
        page.screenshot(path=f"{shots}/history.png")
        main.get_by_role("link", name="Edit the note in the browser").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Edit the note in the browser")
        expect(main.locator("td.del")).to_have_text(["call Ada"])
        expect(main.locator("td.add")).to_have_text(["call Grace", "write docs"])
        page.screenshot(path=f"{shots}/diff.png", full_page=True)
        page.goto(server.url + "#/log/main")
        expect(page.get_by_role("heading", level=1)).to_have_text("History of main")
        expect(main.locator("ol.log li")).to_have_count(int(git(store, "rev-list", "--count", "main")))

    @check("a commit from the CLI shows up live, without a reload")
    def _():
        page.goto(server.url + "#/tree/main/notes")
        expect(main.get_by_role("link", name="today")).to_be_visible()
        expect(page.locator("#live")).to_have_text("live: main")
        page.evaluate("window.notReloaded = true")
        run("set", "notes/from-cli", "written by banyan set", "-m", "CLI write", store=store)
        expect(main.get_by_role("link", name="from-cli")).to_be_visible()
        expect(page.locator("#notice")).to_contain_text("notes/from-cli")
        assert page.evaluate("window.notReloaded") is True, "the page reloaded"

    @check("a stale If-Match is refused with a clear message and changes nothing")
    def _():
        page.goto(server.url + "#/key/main/notes/today")
        main.get_by_role("button", name="Edit").click()
        main.get_by_role("textbox", name="Value").fill("this edit must not land")
        run("set", "notes/other", "meanwhile", "-m", "a concurrent write", store=store)
        expect(main.locator("[data-stale]")).to_be_visible()
        main.get_by_role("button", name="Save").click()
        expect(main.get_by_role("alert").last).to_contain_text("Not saved: main moved since you opened this page")
        page.screenshot(path=f"{shots}/stale.png")
        assert run("get", "notes/today", store=store) == "buy milk\ncall Grace\nwrite docs\n", "a stale edit was stored"

    @check("a bad key is refused with a clear message")
    def _():
        page.goto(server.url + "#/tree/main")
        main.get_by_label("Key", exact=True).fill("notes/../escape")
        main.get_by_role("textbox", name="Value").fill("x")
        main.get_by_role("button", name="Commit").click()
        expect(main.get_by_role("alert")).to_contain_text("Not saved: key 'notes/../escape' has the segment '..'")
        page.goto(server.url + "#/key/main/notes/..")
        expect(main.get_by_role("alert")).to_contain_text("has the segment '..'")
        assert "escape" not in run("ls", "-r", store=store, check=False), "a bad key was stored"

    @check("add a key from the tree view")
    def _():
        page.goto(server.url + "#/tree/main/notes")
        main.get_by_label("Key", exact=True).fill("notes/added")
        main.get_by_role("textbox", name="Value").fill('{"added": true}')
        main.get_by_label("Commit message").fill("Add a key in the browser")
        main.get_by_role("button", name="Commit").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Key notes/added")
        assert run("get", "notes/added", store=store) == '{"added": true}'

    @check("delete a key with a commit message")
    def _():
        main.get_by_role("button", name="Delete").click()
        main.get_by_label("Commit message").fill("Remove the added key")
        main.get_by_role("button", name="Delete notes/added").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Keys under notes")
        assert run("get", "notes/added", store=store, check=False) == "", "the key is still there"
        assert git(store, "log", "-1", "--format=%s", "main").strip() == "Remove the added key"

    @check("branches show their heads and how far they are ahead and behind")
    def _():
        page.goto(server.url + "#/branches")
        expect(main.locator("[data-compare=dev]")).to_have_text(re.compile(r"2 ahead, \d+ behind main"))
        page.screenshot(path=f"{shots}/branches.png")
        ahead = int(git(store, "rev-list", "--count", "dev..main"))
        main.get_by_label("Compare with").select_option("dev")
        expect(main.locator("[data-compare=main]")).to_have_text(f"{ahead} ahead, 2 behind dev")

    @check("merge preview explains each key, then the merge runs")
    def _():
        page.goto(server.url + "#/branches")
        main.get_by_role("link", name="merge into main").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Merge")
        expect(main.locator("tr.result-merged th")).to_have_text("config/app.json")
        expect(main.locator("tr.result-merged")).to_contain_text("json")
        expect(main.locator("tr.result-merged pre")).to_contain_text('"theme": "dark"')
        expect(main.locator("tr.result-merged pre")).to_contain_text('"retries": 5')
        expect(main.locator("tr.result-theirs th")).to_have_text("notes/ideas")
        page.screenshot(path=f"{shots}/merge.png", full_page=True)
        before = git(store, "rev-parse", "main").strip()
        main.get_by_role("button", name="Merge dev into main").click()
        expect(page.locator("#notice")).to_contain_text("Merged dev into main: merged")
        parents = git(store, "log", "-1", "--format=%P", "main").split()
        assert len(parents) == 2 and parents[0] == before, f"main is not a merge of the old head: {parents}"
        app = run("get", "config/app.json", store=store)
        assert '"theme":"dark"' in app and '"retries":5' in app, f"the JSON merge lost a field: {app}"

    @check("a conflicting merge is previewed as such, refused, and allowed with a policy")
    def _():
        run("set", "notes/today", "dev's note\n", "-b", "dev", "-m", "dev edits the note", store=store)
        run("set", "notes/today", "main's note\n", "-m", "main edits the note", store=store)
        page.goto(server.url + "#/merge?source=dev&target=main")
        expect(main.locator("tr.result-conflict th")).to_have_text("notes/today")
        expect(main.locator("tr.result-conflict")).to_contain_text("text")
        expect(main.get_by_role("button", name="Merge dev into main")).to_be_disabled()
        expect(main.get_by_text("The merge stops: 1 conflict(s)")).to_be_visible()
        main.get_by_label("on conflict").select_option("theirs")
        main.get_by_role("button", name="Preview").click()
        expect(main.locator("tr.result-theirs th")).to_have_text("notes/today")
        main.get_by_role("button", name="Merge dev into main").click()
        expect(page.locator("#notice")).to_contain_text("Merged dev into main: merged")
        assert run("get", "notes/today", store=store) == "dev's note\n", "the policy's side was not taken"

    @check("at a phone's width (375 px) nothing scrolls sideways")
    def _():
        phone = new_page(browser, 375, 740)
        for view in ["", "#/key/main/config/app.json", "#/branches", "#/merge?source=dev&target=main"]:
            phone.goto(server.url + view)
            expect(phone.locator("main section")).to_be_visible()
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, f"{view or '/'} is {width} px wide at 375 px"
        phone.goto(server.url + "#/tree/main/notes")
        expect(phone.get_by_role("heading", level=1)).to_have_text("Keys under notes")
        phone.screenshot(path=f"{shots}/phone.png")
        assert not phone.errors, phone.errors
        phone.close()

    @check("every view has one h1, a label on every control and text of AA contrast")
    def _():
        head = git(store, "rev-parse", "main").strip()
        for view in ["", "#/key/main/notes/today", "#/branches", "#/merge?source=dev&target=main", "#/log/main",
                     f"#/commit/main/{head}", "#/key/main/blobs/logo.bin"]:
            page.goto(server.url + view)
            expect(page.get_by_role("heading", level=1)).to_have_count(1)
            expect(main.locator("section")).to_be_visible()
            unlabeled = page.evaluate("""() => [...document.querySelectorAll('input:not([hidden]), select, textarea')]
                .filter(e => !e.labels?.length && !e.getAttribute('aria-label')).map(e => e.id || e.name)""")
            assert not unlabeled, f"{view or '/'}: controls without a label: {unlabeled}"
            low = page.evaluate(CONTRAST)
            assert not low, f"{view or '/'}: text below WCAG AA contrast: {low}"
        assert not page.errors, f"script errors: {page.errors}"

    page.close()

    token_store = make_store(root, "token-store")
    token_server = Server(token_store, "--token", "s3cret")
    servers.append(token_server)

    @check("with --token the page asks for it, refuses a wrong one and keeps it for the tab only")
    def _():
        tab = new_page(browser)
        tab.goto(token_server.url)
        dialog = tab.get_by_role("dialog")
        expect(dialog).to_be_visible()
        tab.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        tab.locator("main").get_by_role("button", name="Sign in").click()
        expect(dialog).to_be_visible()
        dialog.get_by_label("Token").fill("wrong")
        dialog.get_by_role("button", name="Sign in").click()
        expect(dialog.get_by_role("alert")).to_have_text("the token is wrong")
        tab.screenshot(path=f"{shots}/login.png")
        dialog.get_by_label("Token").fill("s3cret")
        dialog.get_by_role("button", name="Sign in").click()
        expect(dialog).to_be_hidden()
        expect(tab.get_by_role("heading", level=1)).to_have_text("Keys of main")
        expect(tab.locator("#live")).to_have_text("live: main")
        assert tab.evaluate("sessionStorage.getItem('banyan.token')") == "s3cret"
        assert tab.evaluate("localStorage.length") == 0, "the token went to localStorage"
        run("set", "notes/live", "seen through the token", "-m", "live with a token", store=token_store)
        expect(tab.locator("main").get_by_role("link", name="notes/")).to_be_visible()
        expect(tab.locator("#notice")).to_contain_text("notes/live")
        other = new_page(browser)
        other.goto(token_server.url)
        expect(other.get_by_role("dialog")).to_be_visible()
        other.close()
        tab.close()

    read_only_store = make_store(root, "read-only-store")
    read_only = Server(read_only_store, "--read-only")
    servers.append(read_only)

    @check("a read-only server is shown as such and writes are refused")
    def _():
        tab = new_page(browser)
        tab.goto(read_only.url + "#/key/main/notes/today")
        expect(tab.get_by_text("Read-only: this server refuses writes")).to_be_visible()
        expect(tab.locator("main").get_by_role("button", name="Edit")).to_be_disabled()
        expect(tab.locator("main").get_by_role("button", name="Delete")).to_be_disabled()
        tab.screenshot(path=f"{shots}/read-only.png")
        refused = tab.evaluate("""async () => {
            const reply = await fetch('/api/v1/kv/main/notes/today', {method: 'PUT', body: 'x'});
            return [reply.status, (await reply.json()).error.code];
        }""")
        assert refused == [403, "readOnly"], f"a write to a read-only server answered {refused}"
        tab.goto(read_only.url + "#/merge?source=dev&target=main")
        expect(tab.locator("main").get_by_role("button", name="Merge dev into main")).to_be_disabled()
        assert run("get", "notes/today", store=read_only_store) == "buy milk\ncall Ada\n"
        tab.close()


if __name__ == "__main__":
    try:
        main()
    except AssertionError as error:
        print(f"console-test: FAILED after {len(passed)} passing checks: {error}", file=sys.stderr)
        sys.exit(1)
