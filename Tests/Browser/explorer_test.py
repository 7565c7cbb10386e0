#!/usr/bin/env python3
"""The explorer and the live view in a real browser: Debian's headless Chromium, driven
through its DevTools protocol over a pipe (--remote-debugging-pipe: JSON messages ending in a
NUL byte, commands on the browser's fd 3, answers on its fd 4). Python's standard library only.

    explorer_test.py explore URL SCREENSHOT [trained]   the explorer page at URL ("trained": a model
                                              trained enough that noise must be called out of distribution)
    explorer_test.py live URL SCREENSHOT      the live view of a training run at URL

Each check prints "ok   ..." or "FAIL ..."; the exit status is 1 when any failed. Every
interaction is a real input event (mouse presses and moves dispatched by the browser), so the
page's own handlers run as they would for a person.
"""
import base64, json, os, statistics, subprocess, sys, tempfile, time

BROWSER = os.environ.get("CHROMIUM", "chromium")


class Browser:
    """One headless Chromium and one page in it."""

    def __init__(self, width=1400, height=1000):
        self.profile = tempfile.mkdtemp(prefix="explorer-test-profile-")
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()

        def wire():                                   # in the child: the pipe ends at fds 3 and 4, inherited
            ends = [os.dup(to_browser_r), os.dup(from_browser_w)]   # fresh numbers, above 4: no clash with 3 or 4
            for target, fd in zip((3, 4), ends):
                os.dup2(fd, target)
                os.set_inheritable(target, True)

        self.log = open(os.path.join(self.profile, "browser.log"), "w")
        self.process = subprocess.Popen(
            [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
             "--remote-debugging-pipe", f"--user-data-dir={self.profile}", f"--window-size={width},{height}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log, preexec_fn=wire, close_fds=False)
        os.close(to_browser_r); os.close(from_browser_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ["Page", "Runtime"]:
            self.call(domain + ".enable", session=True)
        self.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=True)

    def call(self, method, params=None, session=False, timeout=60):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.time() + timeout
        while time.time() < deadline:
            while b"\0" not in self.buffer:
                chunk = os.read(self.from_browser, 1 << 16)
                if not chunk:
                    raise RuntimeError("the browser closed its pipe (see its log: %s)" % self.log.name)
                self.buffer += chunk
            raw, self.buffer = self.buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)
        raise RuntimeError(f"{method}: no answer in {timeout} s")

    def evaluate(self, expression, timeout=60):
        """The value of a JavaScript expression (awaited if it is a promise)."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True},
                           session=True, timeout=timeout)
        if "exceptionDetails" in result:
            raise RuntimeError("JavaScript failed: " + json.dumps(result["exceptionDetails"])[:400])
        return result["result"].get("value")

    def wait(self, expression, timeout=30, what=""):
        """Waits until the expression is true; returns whether it became true."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if self.evaluate(expression):
                    return True
            except RuntimeError:
                pass
            time.sleep(0.1)
        return False

    def navigate(self, url):
        self.call("Page.navigate", {"url": url}, session=True)

    def mouse(self, kind, x, y, buttons=0, button="none"):
        self.call("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": button, "buttons": buttons,
                                               "clickCount": 1 if kind in ("mousePressed", "mouseReleased") else 0,
                                               "pointerType": "mouse"}, session=True)

    def drag(self, points, pause=0.0):
        """Presses at the first point, moves through the others, releases at the last."""
        x, y = points[0]
        self.mouse("mouseMoved", x, y)
        self.mouse("mousePressed", x, y, buttons=1, button="left")
        for x, y in points[1:]:
            self.mouse("mouseMoved", x, y, buttons=1, button="left")
            if pause:
                time.sleep(pause)
        self.mouse("mouseReleased", x, y, buttons=0, button="left")

    def click(self, x, y):
        self.drag([(x, y)])

    def centre(self, selector):
        """The centre of an element on the screen, after scrolling it into view."""
        return self.evaluate(f"""(() => {{ const e = document.querySelector({json.dumps(selector)});
            e.scrollIntoView({{block: "center"}}); const r = e.getBoundingClientRect();
            return [r.left + r.width / 2, r.top + r.height / 2, r.width, r.height]; }})()""")

    def screenshot(self, path, height=None):
        """The page from its top, `height` pixels of it (all of it by default)."""
        metrics = self.call("Page.getLayoutMetrics", session=True)
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        params = {"format": "png", "captureBeyondViewport": True,
                  "clip": {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], height or size["height"]), "scale": 1}}
        data = self.call("Page.captureScreenshot", params, session=True)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return os.path.getsize(path)

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


failures = 0


def check(condition, message):
    global failures
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        failures += 1
    return condition


# A hash of an <img>'s pixels as the browser decoded them.
IMAGE_HASH = """(async (selector) => {
  const image = document.querySelector(selector); await image.decode();
  const c = document.createElement("canvas"); c.width = image.naturalWidth; c.height = image.naturalHeight;
  const g = c.getContext("2d"); g.drawImage(image, 0, 0);
  const data = g.getImageData(0, 0, c.width, c.height).data;
  let h = 2166136261; for (let i = 0; i < data.length; i += 4) { h ^= data[i]; h = Math.imul(h, 16777619) >>> 0; }
  return [c.width, c.height, h];
})"""


def explore(url, screenshot, trained):
    b = Browser(width=1400, height=1000)
    try:
        b.navigate(url)
        check(b.wait("window.explorer && explorer.info && explorer.decodes >= 1", 60), "the page opened and decoded its first code")
        info = b.evaluate("explorer.info")
        d = info["latentDimensions"]
        check(b.evaluate("document.querySelectorAll('#sliders input[type=range]').length") == d, f"one slider per latent dimension ({d})")
        check(b.evaluate("document.querySelectorAll('script[src^=\"http\"], link[href^=\"http\"]').length") == 0,
              "nothing is loaded from elsewhere")

        # Drag the first slider across most of its range, as a person would.
        before = b.evaluate(f"{IMAGE_HASH}('#decoded')")
        decodes_before = b.evaluate("explorer.decodes")
        x, y, w, _ = b.centre("#z0")
        start_x = b.evaluate("(() => { const s = document.getElementById('z0'); const r = s.getBoundingClientRect(); return r.left + (parseFloat(s.value) + 3) / 6 * r.width; })()")
        path = [(start_x + (x + 0.4 * w - start_x) * k / 60, y) for k in range(61)]
        started = time.time()
        b.drag(path, pause=0.02)
        dragged = time.time() - started
        b.wait("!explorer.inFlight && !explorer.pending", 10)
        after = b.evaluate(f"{IMAGE_HASH}('#decoded')")
        decodes = b.evaluate("explorer.decodes") - decodes_before
        value = b.evaluate("parseFloat(document.getElementById('z0').value)")
        check(after[:2] == [224, 224], f"the decoded image is 28 × 28 at 8× ({after[0]} × {after[1]})")
        check(decodes >= 5 and before[2] != after[2], f"dragging the slider to z0 = {value:.2f} decoded {decodes} times while it moved; the image changed")
        latency = b.evaluate("explorer.latency")
        server = [v for v in latency["server"][-decodes:] if v == v]
        trip = latency["roundTrip"][-decodes:]
        if server and trip:
            print(f"     latency while dragging ({decodes} decodes in {dragged:.1f} s of dragging): server median {statistics.median(server):.2f} ms, "
                  f"95th percentile {sorted(server)[int(0.95 * (len(server) - 1))]:.2f} ms; round trip from the page median "
                  f"{statistics.median(trip):.2f} ms, 95th percentile {sorted(trip)[int(0.95 * (len(trip) - 1))]:.2f} ms, max {max(trip):.1f} ms")
        check(bool(trip) and statistics.median(trip) < 250, "the page stays responsive: median round trip under 250 ms")

        # Hover and click on the map.
        point = b.evaluate("explorer.mapPoints[Math.floor(explorer.mapPoints.length / 2)]")
        mx, my, _, _ = b.centre("#map")
        box = b.evaluate("(() => { const r = document.getElementById('map').getBoundingClientRect(); return [r.left, r.top, r.width / 520]; })()")
        px, py = box[0] + point[0] * box[2], box[1] + point[1] * box[2]
        b.mouse("mouseMoved", px, py)
        tip = b.evaluate("document.getElementById('tooltip').style.display === 'block' ? document.getElementById('tooltip').textContent : ''")
        check(tip.startswith("test image"), f"hovering a point of the map names its digit ('{tip}')")
        check(b.wait("(() => { const i = document.querySelector('#tooltip img'); return i && i.complete && i.naturalWidth === 28; })()", 10),
              "and shows its picture")
        hovered = tip.split(":")[0]                         # "test image N": the point nearest the mouse
        b.click(px, py)
        check(b.wait(f"explorer.zSource.includes({json.dumps(hovered + ' ')})", 10), f"clicking it puts {hovered}'s μ on the sliders")

        # Draw a digit on the canvas: a "7", a bar and a stroke down.
        cx, cy, cw, ch = b.centre("#canvas")
        left, top = cx - cw / 2, cy - ch / 2
        stroke = [(left + cw * (0.25 + 0.5 * k / 20), top + ch * 0.22) for k in range(21)]
        stroke += [(left + cw * (0.75 - 0.3 * k / 30), top + ch * (0.22 + 0.6 * k / 30)) for k in range(1, 31)]
        encodes = b.evaluate("explorer.encodes")
        b.drag(stroke)
        check(b.wait(f"explorer.encodes > {encodes}", 20), "drawing on the canvas sent it to the encoder")
        drawn = b.evaluate("explorer.drawn && explorer.drawn.encoding")
        if check(drawn is not None, "the encoder answered"):
            check(len(drawn["mu"]) == d and len(drawn["sigma"]) == d and all(s > 0 for s in drawn["sigma"]),
                  f"μ and σ of the drawing have {d} values each, σ > 0")
            check(all(v == v for v in [drawn["elbo"], drawn["kl"], drawn["reconstructionTerm"]]), f"its ELBO is {drawn['elbo']:.1f} nats")
            verdict = b.evaluate("document.getElementById('verdict').textContent")
            check(verdict in ("looks like a test digit", "looks out of distribution"), f"the page says whether it is out of distribution: '{verdict}'")
            ink = sum(drawn["input"])
            check(ink > 20, f"the digit the model saw holds ink ({ink:.0f} of 784)")

        # Layer activations of the drawn digit.
        b.evaluate("document.querySelector('input[name=layer-source][value=drawn]').click()")
        bx, by, _, _ = b.centre("#show-layers")
        b.click(bx, by)
        if check(b.wait("explorer.layersShown >= 1", 20), "the layer activations were shown"):
            images = b.evaluate("Array.from(document.querySelectorAll('#encoder-layers img, #decoder-layers img')).map(i => i.complete && i.naturalWidth > 0)")
            check(len(images) >= 4 and all(images), f"{len(images)} layers' feature maps rendered")

        # Interpolation: both strips rendered.
        widths = b.evaluate("[document.getElementById('linear').naturalWidth, document.getElementById('spherical').naturalWidth]")
        check(widths[0] > 28 and widths[0] == widths[1], f"the linear and the spherical paths were decoded ({widths[0]} px wide)")

        # Chapter 8's t-SNE, when it was saved beside the run: the map redraws with its points.
        if info.get("tsne"):
            b.evaluate("document.getElementById('tsne-choice').click()")
            shown = b.evaluate("explorer.mapPoints.length")
            check(shown == b.evaluate("explorer.map.tsneCount"), f"the t-SNE map shows its {shown} points ({info['tsne']})")
        else:
            print(f"     no t-SNE map: {info.get('tsneNote')}")

        # Noise in the drawing's place: the out-of-distribution indicator must say so.
        noisy = b.evaluate("""(async () => {
            let s = 7; const pixels = Array.from({length: 784}, () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; });
            return (await (await api('/api/encode', {pixels})).json()).encoding; })()""")
        print(f"     uniform noise: {info['score']} {noisy['score']:.1f} against the threshold {info['threshold']:.1f} "
              f"(the test median is {info['testMedian']:.1f})")
        if trained:
            check(noisy["outOfDistribution"], "uniform noise is called out of distribution")

        check(b.evaluate("document.getElementById('error').textContent") == "", "no error shown on the page")
        b.evaluate("window.scrollTo(0, 0)")
        # The four panels above the layers (the layers' column of feature maps runs long).
        size = b.screenshot(screenshot, height=b.evaluate("Math.ceil(document.getElementById('layers-panel').getBoundingClientRect().top + window.scrollY + 330)"))
        check(size > 10_000, f"screenshot: {screenshot} ({size:,} bytes)")
    finally:
        b.close()


def live(url, screenshot):
    b = Browser(width=1400, height=1000)
    try:
        b.navigate(url)
        check(b.wait("window.live && live.messages >= 1 && live.run", 60), "the live view connected and received the run")
        check(b.wait("live.transport === 'WebSocket'", 10), "it streams over a WebSocket")
        check(b.wait("live.step.length > 0", 120), "updates arrive while training")
        first = b.evaluate("[live.step.length, live.epochs.length, live.messages]")
        check(b.wait(f"live.step.length > {first[0]} || live.status !== 'training'", 60), "more updates arrive")
        second = b.evaluate("[live.step.length, live.epochs.length, live.messages]")
        print(f"     the page had {first[0]} updates, then {second[0]}, after {second[2]} messages")
        check(second[0] > first[0], f"the loss curve grew from {first[0]} to {second[0]} updates")
        check(b.wait("live.epochs.length >= 2", 300), "an epoch's samples and reconstructions arrived")
        b.wait("live.status !== 'training'", 600)
        status = b.evaluate("live.status")
        check(status == "finished", f"training ended: '{status}'")
        steps = b.evaluate("live.step.length")
        run = b.evaluate("live.run")
        check(steps == run["epochs"] * run["stepsPerEpoch"], f"every update is on the page ({steps} of {run['epochs']} × {run['stepsPerEpoch']})")
        # The epoch slider goes back to the model before training.
        b.evaluate("(() => { const s = document.getElementById('epoch'); s.value = 0; s.dispatchEvent(new Event('input')); })()")
        check(b.wait("document.getElementById('samples').src.endsWith('/epoch/0/samples.png') && document.getElementById('samples').complete", 10),
              "the epoch slider shows the samples before training")
        early = b.evaluate(f"{IMAGE_HASH}('#samples')")
        b.evaluate("(() => { const s = document.getElementById('epoch'); s.value = s.max; s.dispatchEvent(new Event('input')); })()")
        b.wait("document.getElementById('samples').complete", 10)
        late = b.evaluate(f"{IMAGE_HASH}('#samples')")
        check(early[2] != late[2], "the last epoch's samples differ from the untrained model's")
        b.evaluate("document.getElementById('log-scale').click()")
        b.evaluate("window.scrollTo(0, 0)")
        size = b.screenshot(screenshot)
        check(size > 10_000, f"screenshot: {screenshot} ({size:,} bytes)")
    finally:
        b.close()


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5) or sys.argv[1] not in ("explore", "live"):
        sys.exit(__doc__)
    if sys.argv[1] == "explore":
        explore(sys.argv[2], sys.argv[3], trained=sys.argv[4:] == ["trained"])
    else:
        live(sys.argv[2], sys.argv[3])
    sys.exit(1 if failures else 0)
