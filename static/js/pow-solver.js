// Proof of work for public forms (campaign/public_guard): find `solutions` distinct decimal
// nonces such that SHA-256(challenge + nonce) starts with `bits` zero bits. A self-written
// SHA-256, so it works where crypto.subtle is missing (plain-HTTP intranet pages) and needs no
// promise per hash. Loaded both as a Web Worker (messages {challenge, bits, solutions} ->
// {nonces: "n1,n2,…"}) and as a plain script (window.PowSolver), the fallback when a worker
// cannot start.
(function (root) {
  "use strict";
  var K = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ]);
  var H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
  var W = new Int32Array(64);

  // One 64-byte block (bytes[offset..offset+63]) into state (an Int32Array of 8).
  function compress(state, bytes, offset) {
    var i, t1, t2, x, y;
    for (i = 0; i < 16; i++) {
      var j = offset + i * 4;
      W[i] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3];
    }
    for (i = 16; i < 64; i++) {
      x = W[i - 15];
      y = W[i - 2];
      W[i] = (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) +
        (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)) + W[i - 7] + W[i - 16] | 0;
    }
    var a = state[0], b = state[1], c = state[2], d = state[3];
    var e = state[4], f = state[5], g = state[6], h = state[7];
    for (i = 0; i < 64; i++) {
      t1 = h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
        ((e & f) ^ (~e & g)) + K[i] + W[i] | 0;
      t2 = (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
        ((a & b) ^ (a & c) ^ (b & c)) | 0;
      h = g; g = f; f = e; e = d + t1 | 0; d = c; c = b; b = a; a = t1 + t2 | 0;
    }
    state[0] = state[0] + a | 0; state[1] = state[1] + b | 0; state[2] = state[2] + c | 0;
    state[3] = state[3] + d | 0; state[4] = state[4] + e | 0; state[5] = state[5] + f | 0;
    state[6] = state[6] + g | 0; state[7] = state[7] + h | 0;
  }

  function utf8(text) {
    return new Uint8Array(unescape(encodeURIComponent(text)).split("").map(function (ch) {
      return ch.charCodeAt(0);
    }));
  }

  // SHA-256 of prefix + suffix, the prefix's whole blocks compressed once (its "midstate").
  function Hasher(prefix) {
    var bytes = utf8(prefix);
    var whole = bytes.length - (bytes.length % 64);
    this.mid = new Int32Array(H0);
    for (var offset = 0; offset < whole; offset += 64) { compress(this.mid, bytes, offset); }
    this.tail = bytes.subarray(whole);
    this.length = bytes.length;
    this.block = new Uint8Array(128);
    this.state = new Int32Array(8);
  }
  Hasher.prototype.digest = function (suffix) {  // suffix: ASCII only (the nonce's digits)
    var block = this.block, tail = this.tail, n = tail.length, i;
    block.fill(0);
    block.set(tail);
    for (i = 0; i < suffix.length; i++) { block[n + i] = suffix.charCodeAt(i); }
    n += suffix.length;
    block[n] = 0x80;
    var blocks = n + 9 > 64 ? 2 : 1;
    var bitLength = (this.length + suffix.length) * 8;
    var end = blocks * 64;
    block[end - 4] = (bitLength >>> 24) & 0xff;
    block[end - 3] = (bitLength >>> 16) & 0xff;
    block[end - 2] = (bitLength >>> 8) & 0xff;
    block[end - 1] = bitLength & 0xff;
    var state = this.state;
    state.set(this.mid);
    compress(state, block, 0);
    if (blocks === 2) { compress(state, block, 64); }
    return state;
  };

  function hasLeadingZeroBits(state, bits) {
    var word = 0;
    while (bits >= 32) {
      if (state[word] !== 0) { return false; }
      word++;
      bits -= 32;
    }
    return bits === 0 || (state[word] >>> (32 - bits)) === 0;
  }

  // Try nonces start, start+1, ... for at most `count`; the nonce found (a string) or null.
  function search(hasher, bits, start, count) {
    for (var nonce = start; nonce < start + count; nonce++) {
      var text = String(nonce);
      if (hasLeadingZeroBits(hasher.digest(text), bits)) { return text; }
    }
    return null;
  }

  // The hex SHA-256 of any text (UTF-8): the same code path, the text as the prefix.
  function hex(text) {
    var state = new Hasher(text || "").digest("");
    var out = "";
    for (var i = 0; i < 8; i++) { out += ("00000000" + (state[i] >>> 0).toString(16)).slice(-8); }
    return out;
  }

  // Solve in slices of `slice` tries: a Solver's step() returns the answer ("n1,n2,…") or null.
  function Solver(challenge, bits, solutions) {
    this.hasher = new Hasher(challenge);
    this.bits = bits;
    this.solutions = solutions;
    this.found = [];
    this.next = 0;
  }
  Solver.prototype.step = function (slice) {
    var end = this.next + slice;
    while (this.found.length < this.solutions && this.next < end) {
      var nonce = search(this.hasher, this.bits, this.next, end - this.next);
      if (nonce === null) {
        this.next = end;
      } else {
        this.found.push(nonce);
        this.next = Number(nonce) + 1;
      }
    }
    return this.found.length < this.solutions ? null : this.found.join(",");
  };

  var api = {Hasher: Hasher, Solver: Solver, search: search, sha256hex: hex};
  var inWorker = typeof WorkerGlobalScope !== "undefined" && root instanceof WorkerGlobalScope;
  if (inWorker) {
    root.onmessage = function (event) {
      var solver = new Solver(event.data.challenge, event.data.bits, event.data.solutions);
      var answer = null;
      while (answer === null) { answer = solver.step(100000); }
      root.postMessage({nonces: answer});
    };
  } else {
    root.PowSolver = api;
  }
}(typeof self !== "undefined" ? self : this));
