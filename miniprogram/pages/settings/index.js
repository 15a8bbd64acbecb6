/** Settings: 长辈模式, the privacy policy, logging out. */
const pageBehavior = require('../../behaviors/page')
const platform = require('../../platform/index')
const account = require('../../services/account')
const display = require('../../services/display')
const voice = require('../../services/voice')

Component({
  behaviors: [pageBehavior],
  data: { voiceReady: false, loggingOut: false },
  methods: {
    onLoad() {
      this.setData({ voiceReady: voice.hasSpeaker() })
    },
    onElderlyChange(event) {
      display.setElderly(event.detail.value)
    },
    openPrivacy() {
      platform.navigateTo('/pages/consent/index?mode=read')
    },
    async logout() {
      const ok = await platform.confirm({ title: '退出登录', content: '退出后，再次使用时会重新登录。确定退出吗？', confirmText: '退出' })
      if (!ok) return
      this.setData({ loggingOut: true })
      try {
        await account.logout()
      } catch (err) {
        // The token is forgotten locally either way; the backend expires it on its own.
      }
      this.setData({ loggingOut: false })
      platform.reLaunch('/pages/index/index')
    },
  },
})
