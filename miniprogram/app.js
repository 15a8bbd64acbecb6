/**
 * The app shell. Pages do their own loading (login happens on the first call that needs it),
 * so a cold start shows the home page at once, even offline. A privacy API held by the host
 * (WeChat or Alipay privacy check) is answered on our consent page. Replies are read aloud in
 * 长辈模式 through the backend's voice.
 */
const privacy = require('./services/privacy')
const voice = require('./services/voice')
const speech = require('./services/speech')

App({
  onLaunch() {
    privacy.watch()
    voice.registerSpeaker(speech.speak) // elderly mode reads replies aloud in the backend's voice
  },
})
