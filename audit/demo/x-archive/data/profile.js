window.YTD.profile.part0 = [
  {
    "profile": {
      "description": {
        "bio": "IM resident at Mercy General. Coffee, cats, call.",
        "website": "",
        "location": "Springfield"
      }
    }
  }
]