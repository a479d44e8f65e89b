window.YTD.tweets.part0 = [
  {
    "tweet": {
      "id_str": "1170000000000000000",
      "id": "1170000000000000000",
      "created_at": "Mon Sep 02 03:40:00 +0000 2019",
      "full_text": "first night float done. 67F in bay 3 with a BP of 240/130 and she asked me if I'd eaten. humbled.",
      "favorite_count": "0",
      "retweet_count": "0",
      "entities": {
        "urls": [],
        "user_mentions": [],
        "hashtags": []
      },
      "retweeted": false,
      "truncated": false,
      "lang": "en"
    }
  },
  {
    "tweet": {
      "id_str": "1170000000000001000",
      "id": "1170000000000001000",
      "created_at": "Tue Sep 03 22:15:00 +0000 2019",
      "full_text": "the new interns are so clueless it's almost funny. who let these people graduate \ud83d\ude44",
      "favorite_count": "1",
      "retweet_count": "1",
      "entities": {
        "urls": [],
        "user_mentions": [],
        "hashtags": []
      },
      "retweeted": false,
      "truncated": false,
      "lang": "en"
    }
  },
  {
    "tweet": {
      "id_str": "1170000000000002000",
      "id": "1170000000000002000",
      "created_at": "Fri Sep 13 23:59:00 +0000 2019",
      "full_text": "call room, 4 shots of fireball deep, someone page me I dare you \ud83e\udd74",
      "favorite_count": "2",
      "retweet_count": "2",
      "entities": {
        "urls": [],
        "user_mentions": [],
        "hashtags": []
      },
      "retweeted": false,
      "truncated": false,
      "lang": "en"
    }
  },
  {
    "tweet": {
      "id_str": "1170000000000003000",
      "id": "1170000000000003000",
      "created_at": "Sat Sep 14 14:00:00 +0000 2019",
      "full_text": "reminder that the flu vaccine is free at every pharmacy in the county this month. go get it!",
      "favorite_count": "3",
      "retweet_count": "0",
      "entities": {
        "urls": [],
        "user_mentions": [],
        "hashtags": []
      },
      "retweeted": false,
      "truncated": false,
      "lang": "en"
    }
  },
  {
    "tweet": {
      "id_str": "1170000000000004000",
      "id": "1170000000000004000",
      "created_at": "Mon Oct 07 02:30:00 +0000 2019",
      "full_text": "kid from the Oak Street fire just came in to the PICU rn. 30% TBSA. please hug your babies tonight",
      "favorite_count": "4",
      "retweet_count": "1",
      "entities": {
        "urls": [],
        "user_mentions": [],
        "hashtags": []
      },
      "retweeted": false,
      "truncated": false,
      "lang": "en"
    }
  },
  {
    "tweet": {
      "id_str": "1170000000000005000",
      "id": "1170000000000005000",
      "created_at": "Wed Oct 16 12:00:00 +0000 2019",
      "full_text": "journal club today: RCT of 1,200 adults aged 65+ comparing early vs late mobilisation after hip fracture. great discussion",
      "favorite_count": "5",
      "retweet_count": "2",
      "entities": {
        "urls": [],
        "user_mentions": [],
        "hashtags": []
      },
      "retweeted": false,
      "truncated": false,
      "lang": "en"
    }
  },
  {
    "tweet": {
      "id_str": "1170000000000006000",
      "id": "1170000000000006000",
      "created_at": "Sun Nov 03 18:00:00 +0000 2019",
      "full_text": "so tired after four nights in a row. going to sleep until Tuesday. be patient with my texts friends",
      "favorite_count": "6",
      "retweet_count": "0",
      "entities": {
        "urls": [],
        "user_mentions": [],
        "hashtags": []
      },
      "retweeted": false,
      "truncated": false,
      "lang": "en"
    }
  },
  {
    "tweet": {
      "id_str": "1170000000000007000",
      "id": "1170000000000007000",
      "created_at": "Thu Dec 12 04:10:00 +0000 2019",
      "full_text": "frequent flyer #2 of the night, same story, same 'allergy' to everything but dilaudid. these people never learn",
      "favorite_count": "0",
      "retweet_count": "1",
      "entities": {
        "urls": [],
        "user_mentions": [],
        "hashtags": []
      },
      "retweeted": false,
      "truncated": false,
      "lang": "en"
    }
  },
  {
    "tweet": {
      "id_str": "1170000000000008000",
      "id": "1170000000000008000",
      "created_at": "Fri Jan 10 20:00:00 +0000 2020",
      "full_text": "the mayor's son rolled his truck on Route 9 and now he's in our ICU. small town, big news",
      "favorite_count": "1",
      "retweet_count": "2",
      "entities": {
        "urls": [],
        "user_mentions": [],
        "hashtags": []
      },
      "retweeted": false,
      "truncated": false,
      "lang": "en"
    }
  },
  {
    "tweet": {
      "id_str": "1170000000000009000",
      "id": "1170000000000009000",
      "created_at": "Sat Feb 01 19:00:00 +0000 2020",
      "full_text": "one glass of pinot with dinner and in bed by 9, the glamorous life of a resident",
      "favorite_count": "2",
      "retweet_count": "0",
      "entities": {
        "urls": [],
        "user_mentions": [],
        "hashtags": []
      },
      "retweeted": false,
      "truncated": false,
      "lang": "en"
    }
  },
  {
    "tweet": {
      "id_str": "1170000000000010000",
      "id": "1170000000000010000",
      "created_at": "Mon Mar 16 11:00:00 +0000 2020",
      "full_text": "We're hiring night nurses for 6 West at Mercy General! DM me for the recruiter's email",
      "favorite_count": "3",
      "retweet_count": "1",
      "entities": {
        "urls": [],
        "user_mentions": [],
        "hashtags": []
      },
      "retweeted": false,
      "truncated": false,
      "lang": "en"
    }
  },
  {
    "tweet": {
      "id_str": "1170000000000011000",
      "id": "1170000000000011000",
      "created_at": "Tue Apr 07 03:00:00 +0000 2020",
      "full_text": "Mr. K in room 508 finally extubated at 2am. 19 days. he gave me a thumbs up and I cried in the supply closet",
      "favorite_count": "4",
      "retweet_count": "2",
      "entities": {
        "urls": [],
        "user_mentions": [],
        "hashtags": []
      },
      "retweeted": false,
      "truncated": false,
      "lang": "en"
    }
  },
  {
    "tweet": {
      "id_str": "1170000000000012000",
      "id": "1170000000000012000",
      "created_at": "Wed May 13 09:00:00 +0000 2020",
      "full_text": "watching ER reruns on my day off and yelling at the tv about their intubation technique",
      "favorite_count": "5",
      "retweet_count": "0",
      "entities": {
        "urls": [],
        "user_mentions": [],
        "hashtags": []
      },
      "retweeted": false,
      "truncated": false,
      "lang": "en"
    }
  },
  {
    "tweet": {
      "id_str": "1170000000000013000",
      "id": "1170000000000013000",
      "created_at": "Thu Jun 18 17:00:00 +0000 2020",
      "full_text": "hey attendings who round at 5pm on a friday: we hate you. sincerely, everyone",
      "favorite_count": "6",
      "retweet_count": "1",
      "entities": {
        "urls": [],
        "user_mentions": [],
        "hashtags": []
      },
      "retweeted": false,
      "truncated": false,
      "lang": "en"
    }
  },
  {
    "tweet": {
      "id_str": "1170000000000014000",
      "id": "1170000000000014000",
      "created_at": "Sat Jul 04 23:00:00 +0000 2020",
      "full_text": "anatomy lab flashback: we named our cadaver Big Bertha and took selfies with her lmao \ud83d\udc80",
      "favorite_count": "0",
      "retweet_count": "2",
      "entities": {
        "urls": [],
        "user_mentions": [],
        "hashtags": []
      },
      "retweeted": false,
      "truncated": false,
      "lang": "en"
    }
  },
  {
    "tweet": {
      "id_str": "1170000000000015000",
      "id": "1170000000000015000",
      "created_at": "Mon Aug 10 15:00:00 +0000 2020",
      "full_text": "my dad had his knee replaced at St. Luke's today and the nurses were amazing, thank you all",
      "favorite_count": "1",
      "retweet_count": "0",
      "entities": {
        "urls": [],
        "user_mentions": [],
        "hashtags": []
      },
      "retweeted": false,
      "truncated": false,
      "lang": "en"
    }
  },
  {
    "tweet": {
      "id_str": "1170000000000016000",
      "id": "1170000000000016000",
      "created_at": "Tue Sep 22 12:00:00 +0000 2020",
      "full_text": "pushed a new version of my study app, fixed the code that crashed on login",
      "favorite_count": "2",
      "retweet_count": "1",
      "entities": {
        "urls": [],
        "user_mentions": [],
        "hashtags": []
      },
      "retweeted": false,
      "truncated": false,
      "lang": "en"
    }
  },
  {
    "tweet": {
      "id_str": "1170000000000017000",
      "id": "1170000000000017000",
      "created_at": "Fri Oct 30 21:30:00 +0000 2020",
      "full_text": "POV: 32 weeker born in the back of an Uber on I-95 tonight and mom is a kindergarten teacher at Lincoln Elementary. what a night",
      "favorite_count": "3",
      "retweet_count": "2",
      "entities": {
        "urls": [],
        "user_mentions": [],
        "hashtags": []
      },
      "retweeted": false,
      "truncated": false,
      "lang": "en"
    }
  },
  {
    "tweet": {
      "id_str": "1170000000000018000",
      "id": "1170000000000018000",
      "created_at": "Wed Nov 25 16:00:00 +0000 2020",
      "full_text": "sim lab today: the standardized patient played a septic 70yo so well I forgot it was fake",
      "favorite_count": "4",
      "retweet_count": "0",
      "entities": {
        "urls": [],
        "user_mentions": [],
        "hashtags": []
      },
      "retweeted": false,
      "truncated": false,
      "lang": "en"
    }
  },
  {
    "tweet": {
      "id_str": "1170000000000019000",
      "id": "1170000000000019000",
      "created_at": "Thu Jan 14 02:00:00 +0000 2021",
      "full_text": "look at this CT from bed 12 \ud83d\udc40 never seen a swallowed fork that deep",
      "favorite_count": "5",
      "retweet_count": "1",
      "entities": {
        "urls": [],
        "user_mentions": [],
        "hashtags": []
      },
      "retweeted": false,
      "truncated": false,
      "lang": "en"
    }
  },
  {
    "tweet": {
      "id_str": "1170000000000020000",
      "id": "1170000000000020000",
      "created_at": "Sun Feb 14 20:00:00 +0000 2021",
      "full_text": "grateful for my program and my co-residents. we got through a hard winter together",
      "favorite_count": "6",
      "retweet_count": "2",
      "entities": {
        "urls": [],
        "user_mentions": [],
        "hashtags": []
      },
      "retweeted": false,
      "truncated": false,
      "lang": "en"
    }
  },
  {
    "tweet": {
      "id_str": "1170000000000021000",
      "id": "1170000000000021000",
      "created_at": "Mon Mar 01 13:00:00 +0000 2021",
      "full_text": "staffing ratios are a patient safety issue. call your state rep and support the safe staffing bill",
      "favorite_count": "0",
      "retweet_count": "0",
      "entities": {
        "urls": [],
        "user_mentions": [],
        "hashtags": []
      },
      "retweeted": false,
      "truncated": false,
      "lang": "en"
    }
  },
  {
    "tweet": {
      "id_str": "1370000000000000000",
      "id": "1370000000000000000",
      "created_at": "Tue Mar 02 18:00:00 +0000 2021",
      "full_text": "@cousin_mel honestly just double your metoprolol tonight and skip the ER, you'll be fine",
      "favorite_count": "0",
      "retweet_count": "0",
      "in_reply_to_status_id_str": "1369999999999999993",
      "in_reply_to_status_id": "1369999999999999993",
      "in_reply_to_screen_name": "cousin_mel",
      "entities": {
        "urls": [],
        "user_mentions": [
          {
            "screen_name": "cousin_mel"
          }
        ],
        "hashtags": []
      },
      "lang": "en"
    }
  },
  {
    "tweet": {
      "id_str": "1370000000000001000",
      "id": "1370000000000001000",
      "created_at": "Wed Mar 03 18:00:00 +0000 2021",
      "full_text": "@runner_dan I can't give medical advice on here, please call your doctor or urgent care if it gets worse",
      "favorite_count": "0",
      "retweet_count": "0",
      "in_reply_to_status_id_str": "1370000000000000993",
      "in_reply_to_status_id": "1370000000000000993",
      "in_reply_to_screen_name": "runner_dan",
      "entities": {
        "urls": [],
        "user_mentions": [
          {
            "screen_name": "runner_dan"
          }
        ],
        "hashtags": []
      },
      "lang": "en"
    }
  },
  {
    "tweet": {
      "id_str": "1370000000000002000",
      "id": "1370000000000002000",
      "created_at": "Thu Mar 04 18:00:00 +0000 2021",
      "full_text": "@neighbor_sue sounds like shingles, ask for valacyclovir 1g three times a day",
      "favorite_count": "0",
      "retweet_count": "0",
      "in_reply_to_status_id_str": "1370000000000001993",
      "in_reply_to_status_id": "1370000000000001993",
      "in_reply_to_screen_name": "neighbor_sue",
      "entities": {
        "urls": [],
        "user_mentions": [
          {
            "screen_name": "neighbor_sue"
          }
        ],
        "hashtags": []
      },
      "lang": "en"
    }
  }
]