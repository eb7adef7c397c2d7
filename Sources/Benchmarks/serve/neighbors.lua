-- wrk script: GET /neighbors for words cycling through a list of frequent GloVe words, k=10.
local words = {"the","king","paris","computer","music","river","science","football","bank","green",
               "city","love","water","school","war","money","house","film","game","police",
               "china","dog","car","market","health","church","ship","bread","snow","guitar"}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/neighbors?k=10&word=" .. words[(counter % #words) + 1])
end
