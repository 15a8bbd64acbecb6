/**
 * The privacy policy, agreed before any health data is entered. The agree button also carries
 * the host's privacy authorisation (open-type, WeChat and Alipay alike), so one tap covers both;
 * a privacy API the host held (services/privacy) goes on after it. After agreeing, the
 * person goes on to where they were heading (`redirect`); declining keeps public pages usable.
 */
const pageBehavior = require('../../behaviors/page')
const platform = require('../../platform/index')
const account = require('../../services/account')
const privacy = require('../../config/privacy')
const hostPrivacy = require('../../services/privacy')

Component({
  behaviors: [pageBehavior],
  data: { policy: privacy, saving: false, declined: false, readOnly: false },
  methods: {
    onLoad(query = {}) {
      this.redirect = query.redirect ? decodeURIComponent(query.redirect) : ''
      this.setData({ readOnly: query.mode === 'read' })
    },
    onAgreePrivacy() {
      // The host's privacy authorisation was granted by the same tap: held calls go on.
      hostPrivacy.answer(true)
    },
    async agree() {
      if (this.data.saving) return
      this.setData({ saving: true })
      try {
        await account.consent()
        if (this.redirect) await platform.redirectTo(this.redirect)
        else await platform.navigateBack()
      } catch (err) {
        this.fail(err)
      } finally {
        this.setData({ saving: false })
      }
    },
    decline() {
      hostPrivacy.answer(false)
      this.setData({ declined: true })
    },
    goHome() {
      platform.reLaunch('/pages/index/index')
    },
  },
})
