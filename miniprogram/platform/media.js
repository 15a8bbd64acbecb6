/**
 * Sound on either host: WeChat's wx and Alipay's my share these calls, only the recorder's unit
 * of duration differs. Each platform adapter passes its host object in.
 */

/** Plays `src` (a URL or a temporary file) once; resolves when it has ended. */
function playAudio(host, src) {
  return new Promise((resolve, reject) => {
    const audio = host.createInnerAudioContext()
    const finish = (settle, value) => {
      audio.destroy()
      settle(value)
    }
    audio.onEnded(() => finish(resolve))
    audio.onError((err) => finish(reject, err))
    audio.src = src
    audio.play()
  })
}

/**
 * Records speech for the assistant: mono 16 kHz mp3, at most `maxMs`. Returns {stop, done}:
 * stop() ends it early; done resolves {path, durationMs} or rejects (no microphone, refused).
 * `msPerUnit`: what one unit of the host's reported duration is in ms (WeChat 1, Alipay 1000).
 */
function recordSpeech(host, msPerUnit, { maxMs = 60000 } = {}) {
  const manager = host.getRecorderManager()
  const done = new Promise((resolve, reject) => {
    manager.onStop((res) => resolve({ path: res.tempFilePath, durationMs: Math.round((res.duration || 0) * msPerUnit) }))
    manager.onError((err) => reject(err))
  })
  manager.start({ duration: maxMs, sampleRate: 16000, numberOfChannels: 1, encodeBitRate: 48000, format: 'mp3' })
  return { stop: () => manager.stop(), done }
}

/** Parses the body uploadFile hands back as a string (both hosts do). */
function parsed(data) {
  if (typeof data !== 'string') return data
  try {
    return JSON.parse(data)
  } catch (err) {
    return data
  }
}

module.exports = { playAudio, recordSpeech, parsed }
