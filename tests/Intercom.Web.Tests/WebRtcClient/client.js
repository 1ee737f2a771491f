// Test-only page: SIP.js's SimpleUser, an external WebRTC SIP client, against the station's wss://…/sip (RFC 7118).
// WebRtcClientTests serves this file and SIP.js's ES modules under the station's own origin and calls the functions below.
import { Web } from "./sipjs/index.js";

const state = { answered: false, hungUp: false, error: null };
window.clientState = state;

window.startCall = async (server, aor, username, password, target) => {
  const user = new Web.SimpleUser(server, {
    aor,
    delegate: {
      onCallAnswered: () => { state.answered = true; },
      onCallHangup: () => { state.hungUp = true; },
    },
    media: { constraints: { audio: true, video: false }, remote: { audio: document.getElementById("remote") } },
    userAgentOptions: { authorizationUsername: username, authorizationPassword: password, logLevel: "warn" },
  });
  window.simpleUser = user;
  try {
    await user.connect();
    await user.call(target);
  } catch (e) {
    state.error = String(e);
  }
};

// The level (dB) of the received audio at `hz` and the loudest bin's frequency, from a WebAudio analyser on the remote stream.
window.measureReceived = async (hz) => {
  if (!window.analyser) {
    const context = new AudioContext();
    await context.resume();
    const source = context.createMediaStreamSource(window.simpleUser.remoteMediaStream);
    const analyser = context.createAnalyser();
    analyser.fftSize = 8192;
    source.connect(analyser);
    window.analyser = analyser;
    window.analyserRate = context.sampleRate;
    await new Promise((r) => setTimeout(r, 500));
  }
  const bins = new Float32Array(window.analyser.frequencyBinCount);
  window.analyser.getFloatFrequencyData(bins);
  const binHz = window.analyserRate / window.analyser.fftSize;
  let peak = 0;
  for (let i = 1; i < bins.length; i++) if (bins[i] > bins[peak]) peak = i;
  return { atTone: bins[Math.round(hz / binHz)], peakHz: peak * binHz, peakDb: bins[peak] };
};

// The door code as SIP INFO (application/dtmf-relay, SimpleUser.sendDTMF), one request per digit in order.
window.sendDigits = async (digits) => {
  for (const digit of digits) await window.simpleUser.sendDTMF(digit);
  return true;
};

// A code as RFC 4733 telephone-events on the call's RTP (Chromium's RTCDTMFSender on the audio sender), 100 ms per digit.
window.sendDigitsRtp = (digits) => {
  const pc = window.simpleUser.session?.sessionDescriptionHandler?.peerConnection;
  const sender = pc?.getSenders().find((s) => s.track && s.track.kind === "audio");
  if (!sender?.dtmf) return false;
  sender.dtmf.insertDTMF(digits, 100, 70);
  return true;
};

window.hangUp = () => window.simpleUser.hangup();


// "Register and answer": a browser phone that registers with the station over its WebSocket (RFC 7118 §5) and waits for
// the station's calls (a ring group's "web" target). clientState counts the calls that rang and says whether one rings now.
window.register = async (server, aor, username, password) => {
  state.registered = false;
  state.ringing = false;
  state.rings = 0;
  const user = new Web.SimpleUser(server, {
    aor,
    delegate: {
      onRegistered: () => { state.registered = true; },
      onCallReceived: () => { state.ringing = true; state.rings++; },
      onCallAnswered: () => { state.answered = true; state.ringing = false; },
      onCallHangup: () => { state.hungUp = true; state.ringing = false; },
    },
    media: { constraints: { audio: true, video: false }, remote: { audio: document.getElementById("remote") } },
    userAgentOptions: { authorizationUsername: username, authorizationPassword: password, logLevel: "warn" },
  });
  window.simpleUser = user;
  try {
    await user.connect();
    await user.register();
  } catch (e) {
    state.error = String(e);
  }
};

window.answer = async () => {
  try {
    await window.simpleUser.answer();
  } catch (e) {
    state.error = String(e);
  }
};
