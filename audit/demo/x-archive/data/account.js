window.YTD.account.part0 = [
  {
    "account": {
      "username": "demo_resident",
      "accountId": "9000",
      "accountDisplayName": "Demo Resident (made up)",
      "createdAt": "2015-06-01T00:00:00.000Z"
    }
  }
]