/**
 * The privacy policy, agreed before any health data is entered. The agree button also carries
 * WeChat's own privacy authorisation (open-type), so one tap covers both. After agreeing, the
 * person goes on to where they were heading (`redirect`); declining keeps public pages usable.
 */
const pageBehavior = require('../../behaviors/page')
const platform = require('../../platform/index')
const account = require('../../services/account')
const privacy = require('../../config/privacy')

Component({
  behaviors: [pageBehavior],
  data: { policy: privacy, saving: false, declined: false, readOnly: false },
  methods: {
    onLoad(query = {}) {
      this.redirect = query.redirect ? decodeURIComponent(query.redirect) : ''
      this.setData({ readOnly: query.mode === 'read' })
    },
    onAgreePrivacy() {
      // WeChat's privacy authorisation was granted by the same tap; nothing else to do here.
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
      this.setData({ declined: true })
    },
    goHome() {
      platform.reLaunch('/pages/index/index')
    },
  },
})
